import { App, Chart, ChartProps } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { Controls, ExemptionProps, HardenedDaemonSet, NetworkPeer, ResourcePreset, WorkloadConnections } from '../../src';

/** Props of the node-agent example. */
export interface NodeAgentChartProps extends ChartProps {
  /**
   * Exemptions of the log shipper. The test passes none to show that the guard stops the hostPath mount.
   * @default NodeAgentChart.HOST_LOG_EXEMPTIONS
   */
  readonly exemptions?: ExemptionProps[];
  /**
   * Where the shipper sends the logs: with DNS, the agent's only egress.
   * @default NodeAgentChart.LOG_COLLECTOR
   */
  readonly logCollector?: LogCollector;
}

/** A declared destination for the logs: who receives them, and on which port. */
export interface LogCollector {
  readonly peer: NetworkPeer;
  readonly port: kplus.NetworkPolicyPort;
}

/**
 * Where the node-logs volume renders, and what it must stay: the exemptions cover this volume only while it is
 * exactly this, so another hostPath volume, or this one pointed elsewhere, fails synthesis again.
 */
const NODE_LOGS_VOLUME = {
  pointer: '/spec/template/spec/volumes/2',
  pointerValue: { name: 'node-logs', hostPath: { path: '/var/log', type: 'Directory' } },
};

/**
 * The example node agent: a log shipper on every node, reading the node's /var/log through a read-only hostPath
 * mount. A hostPath volume fails two controls (`host-path-volumes`, PSS baseline, and `volume-types`, PSS
 * restricted), so the agent carries one exemption for each, scoped to the agent alone, saying exactly what is
 * mounted and how. Everything else keeps the hardened defaults: non-root uid/gid, read-only root filesystem, no
 * capabilities, no host namespaces, no service-account token.
 */
export class NodeAgentChart extends Chart {
  /** The two exemptions the read-only /var/log mount needs, narrowed to that one volume of the DaemonSet. */
  public static readonly HOST_LOG_EXEMPTIONS: ExemptionProps[] = [
    {
      control: Controls.HOST_PATH_VOLUMES,
      reason: 'log shipper: read-only mount of the node path /var/log (no other host path, never writable)',
      ticket: 'PLAT-311',
      kind: 'DaemonSet',
      ...NODE_LOGS_VOLUME,
    },
    {
      control: Controls.VOLUME_TYPES,
      reason: 'the only non-core volume is the read-only hostPath mount of /var/log for log shipping',
      ticket: 'PLAT-311',
      kind: 'DaemonSet',
      ...NODE_LOGS_VOLUME,
    },
  ];

  /** The cluster's log collector: fluent-forward (TCP 24224) to pods `app.kubernetes.io/name: log-collector` of `observability`. */
  public static readonly LOG_COLLECTOR: LogCollector = {
    peer: NetworkPeer.inNamespace('observability', { podLabels: { 'app.kubernetes.io/name': 'log-collector' } }),
    port: kplus.NetworkPolicyPort.tcp(24224),
  };

  public readonly agent: HardenedDaemonSet;

  constructor(scope: Construct, id: string, props: NodeAgentChartProps = {}) {
    super(scope, id, { namespace: 'logging', ...props });

    this.agent = new HardenedDaemonSet(this, 'log-shipper', {
      partOf: 'logging',
      containers: [{
        name: 'shipper',
        image: 'registry.example.com/platform/log-shipper:3.1.4@sha256:5d3f1b9e7c5a3f1d9b7e5c3a1f9d7b5e3c1a9f7d5b3e1c9a7f5d3b1e9c7a5f3d',
        // Health and metrics endpoint; distinct paths so an overloaded agent is not restarted.
        portNumber: 2020,
        readiness: kplus.Probe.fromHttpGet('/api/v1/health'),
        liveness: kplus.Probe.fromHttpGet('/'),
      }],
      // Read positions (which line of which file was shipped); lost on restart, so some lines may be sent twice.
      writablePaths: ['/var/lib/log-shipper'],
      resourcePreset: ResourcePreset.MICRO,
      exemptions: props.exemptions ?? NodeAgentChart.HOST_LOG_EXEMPTIONS,
    });

    // The node's logs, read-only. The agent runs as uid/gid 65532: the node must let that group read the files
    // (many distributions make /var/log/pods group-readable); running as root would need further exemptions.
    const logs = kplus.Volume.fromHostPath(this.agent, 'NodeLogs', 'node-logs', {
      path: '/var/log',
      type: kplus.HostPathVolumeType.DIRECTORY,
    });
    this.agent.containers[0].mount('/var/log', logs, { readOnly: true });

    // A shipper that may reach nothing ships nothing: its policy admits the declared collector, and only it.
    const collector = props.logCollector ?? NodeAgentChart.LOG_COLLECTOR;
    WorkloadConnections.of(this.agent).allowTo(collector.peer, { ports: [collector.port] });
  }
}

/** Builds the example app; `outdir` defaults to cdk8s's (`dist`, or CDK8S_OUTDIR). */
export function buildApp(outdir?: string): App {
  const app = new App({ outdir });
  new NodeAgentChart(app, 'node-agent');
  return app;
}

if (require.main === module) {
  buildApp().synth();
}
