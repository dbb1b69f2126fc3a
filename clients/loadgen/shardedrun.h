// SPDX-License-Identifier: MIT
#pragma once

#include "loadgenerator.h"

namespace whisper::loadgen {

// Runs one LoadGenerator per thread, each with its own epoll loop and a
// share of the clients (whole pairs, so every pair lives in one loop) and
// of the rate; the shards start their measured windows together and their
// reports are merged (latency percentiles over all samples). One thread
// runs the generator on the calling thread, as before.
LoadReport runSharded(const LoadOptions &options, int threads);

// The CPUs this process may run on (its affinity mask).
int allowedCpus();

// Fills in loadgenThreads/loadgenCores/loadgenBound: bound when the load
// generator used more than 90 % of the cores its threads can use.
void markLoadgenBound(LoadReport &report, int threads);

} // namespace whisper::loadgen
