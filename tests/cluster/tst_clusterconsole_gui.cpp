// SPDX-License-Identifier: MIT
// The admin console against a cluster node, offscreen: the real console
// (ControlClient, ConsoleState, StatsPanel) over a real WebSocket to a real
// ControlServer and ChatServer in this process, with an in-memory account
// backend. The hub is given a cluster reading as ClusterDirectory hands it
// one (no Redis needed): the node table fills with every node and marks the
// leader and this node, and the other nodes' waiting client and pair reach
// the map's models. Against a single node the cluster section stays hidden.

#include "chatserver.h"
#include "clusterdirectory.h"
#include "consolestate.h"
#include "controlclient.h"
#include "controlserver.h"
#include "ids.h"
#include "nodetable.h"
#include "serverconfig.h"
#include "statspanel.h"
#include "tst_control_support.h"

#include <QTableView>
#include <QTest>

using namespace whisper;
using namespace whisper::admin;

namespace {

ServerConfig chatConfig() {
    ServerConfig c;
    c.listenAddress = QStringLiteral("127.0.0.1");
    c.port = 0;
    return c;
}

ClusterSnapshot threeNodes() {
    ClusterSnapshot snap;
    snap.self = QStringLiteral("node1");
    snap.nodes = {
        ClusterNodeView{QStringLiteral("node1"), 10, 2, 4, 12.5, 350, false},
        ClusterNodeView{QStringLiteral("node2"), 20, 3, 8, 30.0, 420, true},
        ClusterNodeView{QStringLiteral("node3"), 5, 1, 2, 0.0, -1, false},
    };
    const ClientId onNode2 = clientIdBase(QStringLiteral("node2")) + 7;
    const ClientId a = clientIdBase(QStringLiteral("node3")) + 1;
    const ClientId b = clientIdBase(QStringLiteral("node3")) + 2;
    snap.waiting = {
        ClusterWaitingView{onNode2, QStringLiteral("node2"), 48.137, 11.575, 25.0, 1795819768826}};
    ClusterPairEntry pair{a, b, 1795819760000, 10, QPointF(18.42, -33.92), QPointF(18.46, -33.95)};
    snap.pairs = {ClusterPairView{QStringLiteral("node3.abc"), pair}};
    snap.pairIdsByNode.insert(QStringLiteral("node3"), {QStringLiteral("node3.abc")});
    return snap;
}

} // namespace

class TestClusterConsoleGui : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void init();
    void cleanup();
    void nodeTableFillsFromTheStream();
    void singleNodeHasNoClusterSection();

private:
    void connectConsole();

    std::unique_ptr<ChatServer> m_chat;
    std::unique_ptr<test::FakeControlBackend> m_backend;
    std::unique_ptr<ControlServer> m_control;
    std::unique_ptr<ControlClient> m_client;
    std::unique_ptr<ConsoleState> m_state;
    std::unique_ptr<StatsPanel> m_panel;
};

void TestClusterConsoleGui::init() {
    m_chat = std::make_unique<ChatServer>(chatConfig());
    QVERIFY(m_chat->listen());
    m_backend = std::make_unique<test::FakeControlBackend>();
    m_backend->addUser(QStringLiteral("mod"), QStringLiteral("mod-pw"), Role::Moderator);
    ControlLimits limits;
    limits.batchMs = 50;
    m_control = std::make_unique<ControlServer>(QStringLiteral("127.0.0.1"), 0, limits, *m_chat,
                                                *m_backend, QStringLiteral("test"));
    QVERIFY(m_control->listen());
    m_state = std::make_unique<ConsoleState>();
    m_panel = std::make_unique<StatsPanel>(m_state.get());
    m_panel->resize(420, 700);
    m_panel->show();
}

void TestClusterConsoleGui::cleanup() {
    m_panel.reset();
    m_client.reset();
    m_state.reset();
    m_control.reset();
    m_chat.reset();
    m_backend.reset();
}

void TestClusterConsoleGui::connectConsole() {
    m_client = std::make_unique<ControlClient>();
    m_state->attach(m_client.get());
    m_client->connectToServer(
        {m_control->url(), QStringLiteral("mod"), QStringLiteral("mod-pw"), QString()});
    QTRY_VERIFY_WITH_TIMEOUT(m_state->snapshotComplete(), 5000);
}

void TestClusterConsoleGui::nodeTableFillsFromTheStream() {
    m_control->hub().setLocalNode(QStringLiteral("node1"));
    connectConsole();
    m_control->hub().applyCluster(threeNodes());

    NodeTable *table = m_panel->nodeTable();
    QTRY_COMPARE_WITH_TIMEOUT(table->model()->rowCount(), 3, 5000);
    QVERIFY(table->isVisible());
    const NodeModel *model = table->model();
    auto cell = [model](int row, int column) {
        return model->data(model->index(row, column), Qt::DisplayRole).toString();
    };
    QCOMPARE(cell(0, NodeModel::Node), QStringLiteral("node1 (this node)"));
    QCOMPARE(cell(1, NodeModel::Node), QStringLiteral("node2"));
    QCOMPARE(cell(1, NodeModel::Connections), QStringLiteral("20"));
    QCOMPARE(cell(1, NodeModel::Messages), QStringLiteral("30.0"));
    QCOMPARE(cell(0, NodeModel::RedisLatency), QStringLiteral("0.35 ms"));
    QCOMPARE(cell(2, NodeModel::RedisLatency), QStringLiteral("–")); // not measured yet
    int leaders = 0;
    for (int row = 0; row < 3; ++row)
        leaders += cell(row, NodeModel::Role) == QLatin1String("leader");
    QCOMPARE(leaders, 1);
    QCOMPARE(cell(1, NodeModel::Role), QStringLiteral("leader"));
    QVERIFY(model->data(model->index(1, NodeModel::Node), Qt::FontRole).value<QFont>().bold());
    QVERIFY(m_panel->text().startsWith(QLatin1String("This node: node1")));
    QVERIFY(!m_panel->grab().isNull());

    // The other nodes' waiting client and pair are on the map, on the
    // console's grid.
    QTRY_COMPARE_WITH_TIMEOUT(m_state->waiting()->records().size(), 1, 5000);
    const control::WaitingClient w = m_state->waiting()->records().first();
    QCOMPARE(w.lat, 48.1);
    QCOMPARE(w.lon, 11.6);
    QTRY_COMPARE_WITH_TIMEOUT(m_state->pairs()->records().size(), 1, 5000);
    const control::PairInfo p = m_state->pairs()->records().first();
    QVERIFY(p.id != QLatin1String("node3.abc")); // the console's own id
    QCOMPARE(p.latA, -33.9);
    QCOMPARE(p.lonB, 18.5);
    // Pairs found by the first reading were made before it: no "matched".
    QCOMPARE(m_state->events()->rowCount(), 0);

    // A reading without them takes them off again.
    ClusterSnapshot later = threeNodes();
    later.waiting.clear();
    later.pairs.clear();
    later.nodes.removeLast();
    m_control->hub().applyCluster(later);
    QTRY_COMPARE_WITH_TIMEOUT(table->model()->rowCount(), 2, 5000);
    QTRY_COMPARE_WITH_TIMEOUT(m_state->waiting()->records().size(), 0, 5000);
    QTRY_COMPARE_WITH_TIMEOUT(m_state->pairs()->records().size(), 0, 5000);
    QTRY_COMPARE_WITH_TIMEOUT(m_state->events()->rowCount(), 1, 5000); // it left
}

void TestClusterConsoleGui::singleNodeHasNoClusterSection() {
    connectConsole();
    // A reading on a node that is not a cluster member changes nothing.
    m_control->hub().applyCluster(threeNodes());
    QTRY_VERIFY_WITH_TIMEOUT(m_state->latestStats().has_value(), 5000);
    QVERIFY(m_state->latestStats()->nodes.isEmpty());
    QVERIFY(!m_panel->nodeTable()->isVisible());
    QCOMPARE(m_panel->nodeTable()->model()->rowCount(), 0);
    QVERIFY(m_panel->text().startsWith(QLatin1String("Connections:")));
    QCOMPARE(m_state->waiting()->records().size(), 0);
}

QTEST_MAIN(TestClusterConsoleGui)
#include "tst_clusterconsole_gui.moc"
