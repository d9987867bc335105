import * as kplus from 'cdk8s-plus-27';
import { HardenedProbe } from './hardened-probe';

/**
 * A container's probes made by HardenedProbe, checked together: liveness and startup probes need
 * successThreshold 1 (the API server rejects anything else), and the same probe may not serve as both readiness
 * and liveness (a busy container would be restarted instead of taken out of rotation).
 */
export function checkContainerProbes(where: string, props: kplus.ContainerProps): void {
  for (const field of ['liveness', 'startup'] as const) {
    const spec = HardenedProbe._specOf(props[field]);
    if (spec?.successThreshold !== undefined && spec.successThreshold !== 1) {
      throw new Error(`${where}: ${field} ${spec.description} has successThreshold ${spec.successThreshold}; Kubernetes requires 1 for `
        + `${field} probes: leave it out`);
    }
  }
  const readiness = HardenedProbe._specOf(props.readiness);
  const liveness = HardenedProbe._specOf(props.liveness);
  if (readiness === undefined || liveness === undefined) return;
  const stub = { name: props.name ?? 'main', portNumber: props.portNumber ?? props.port } as kplus.Container;
  const rendered = [props.readiness!, props.liveness!].map(p => JSON.stringify((p as any)._toKube(stub) ?? null));
  if (props.readiness === props.liveness || (rendered[0] === rendered[1] && rendered[0] !== 'null')) {
    throw new Error(`${where}: liveness ${liveness.description} is the same probe as readiness; a container that is only busy would be `
      + 'restarted instead of taken out of rotation: give liveness another endpoint, or a longer period and failureThreshold');
  }
}
