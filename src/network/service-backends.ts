import { apiGroupOf, selectorMatches } from '../controls/core/manifest-index';
import { isObject, podOf } from '../controls/core/pod-template';

/* Service resolution for Reachability (internal: not re-exported from index.ts). */

/** One pod-bearing object a Service sends a port's traffic to, and the container port it arrives on. */
export interface ServiceBackend {
  /** The backend's manifest (Deployment, StatefulSet, Pod...). */
  readonly manifest: any;
  /** The container port the Service's targetPort resolves to on this backend. */
  readonly targetPort: number;
}

/** A Service port's backends, and those a named targetPort does not resolve on (Kubernetes makes no endpoint for them). */
export interface ServiceResolution {
  readonly service: string;
  readonly protocol: string;
  readonly backends: ServiceBackend[];
  readonly unresolved: string[];
}

/**
 * The backends of `namespace/name`'s port `port` (the Service's port, what clients dial) and protocol: the pod-bearing
 * objects of its namespace whose pod labels its selector matches, each with the targetPort (a number, a container
 * port's name, or the port itself when unset). Throws, naming the Service, when Kubernetes' answer is not in the
 * manifests: no such Service, no selector (endpoints managed elsewhere, ExternalName), no such port, nothing selected.
 */
export function resolveServicePort(manifests: any[], namespaceOfManifest: (m: any) => string, namespace: string, name: string,
  port: number, protocol: string): ServiceResolution {
  const services = manifests.filter(m => m.kind === 'Service' && apiGroupOf(m) === '' && namespaceOfManifest(m) === namespace);
  const service = services.find(m => m.metadata?.name === name);
  const label = `Service ${namespace}/${name}`;
  if (!service) {
    const known = services.map(s => s.metadata?.name).filter(n => typeof n === 'string').join(', ') || 'none';
    throw new Error(`Reachability.canReachService: no ${label} in the manifests (Services of namespace '${namespace}': ${known}); `
      + 'give the Service\'s metadata.name, and serviceNamespace when it is not the source\'s namespace');
  }
  const selector = service.spec?.selector;
  if (!isObject(selector) || Object.keys(selector).length === 0) {
    throw new Error(`Reachability.canReachService: ${label} has no selector${service.spec?.type === 'ExternalName' ? ' (ExternalName)' : ''}, so its `
      + 'endpoints are not derived from the manifests; ask canConnect about the pods or addresses behind it');
  }
  const ports: any[] = Array.isArray(service.spec?.ports) ? service.spec.ports.filter(isObject) : [];
  const entry = ports.find(p => p.port === port && (p.protocol ?? 'TCP') === protocol);
  if (!entry) {
    const known = ports.map(p => `${p.protocol ?? 'TCP'} ${p.port}${p.name ? ` (${p.name})` : ''}`).join(', ') || 'none';
    throw new Error(`Reachability.canReachService: ${label} has no ${protocol} port ${port} (its ports: ${known}); ask about a port the Service `
      + 'publishes (its port, not the targetPort)');
  }
  const selected = manifests.filter(m => m.kind !== 'PodTemplate' && podOf(m) !== undefined && typeof m.metadata?.name === 'string'
    && namespaceOfManifest(m) === namespace && selectorMatches({ matchLabels: selector }, labelsOf(m)));
  if (selected.length === 0) {
    throw new Error(`Reachability.canReachService: ${label} selects no pod-bearing object of the manifests (selector `
      + `${JSON.stringify(selector)}); check the selector against the pod template labels`);
  }
  const target = entry.targetPort ?? entry.port;
  const backends: ServiceBackend[] = [];
  const unresolved: string[] = [];
  for (const manifest of selected) {
    const resolved = typeof target === 'number' ? target : namedPort(manifest, target, protocol);
    if (resolved === undefined) unresolved.push(`${manifest.kind} ${namespace}/${manifest.metadata.name}`);
    else backends.push({ manifest, targetPort: resolved });
  }
  if (backends.length === 0) {
    throw new Error(`Reachability.canReachService: ${label} port ${port} targets the container port named ${JSON.stringify(target)}, which no `
      + `selected pod declares (${unresolved.join(', ')}); name a port the containers declare`);
  }
  return { service: label, protocol, backends, unresolved };
}

function labelsOf(manifest: any): Record<string, string> {
  const labels = podOf(manifest)?.metadata?.labels;
  return isObject(labels) ? labels : {};
}

/** The number of the container port named `name` with `protocol`, on the object's pod containers. */
function namedPort(manifest: any, name: unknown, protocol: string): number | undefined {
  const containers: any[] = podOf(manifest)?.spec?.containers ?? [];
  const found = containers.flatMap(c => (Array.isArray(c?.ports) ? c.ports : []))
    .find((p: any) => isObject(p) && p.name === name && (p.protocol ?? 'TCP') === protocol);
  return found?.containerPort;
}
