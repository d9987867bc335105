/* Internal: pod annotations by which Istio leaves inbound ports uncaptured (not part of the jsii API). */

/** Sidecar mode: ports whose inbound traffic iptables does not redirect to the sidecar. */
export const EXCLUDE_INBOUND_PORTS = 'traffic.sidecar.istio.io/excludeInboundPorts';
/** Sidecar mode: the only inbound ports redirected ('*', the default: all). */
export const INCLUDE_INBOUND_PORTS = 'traffic.sidecar.istio.io/includeInboundPorts';
/** Sidecar mode: interfaces whose traffic is not redirected at all. */
export const EXCLUDE_INTERFACES = 'traffic.sidecar.istio.io/excludeInterfaces';
/** Sidecar mode: `NONE` installs no redirection at all. */
export const INTERCEPTION_MODE = 'sidecar.istio.io/interceptionMode';
/** Ambient mode: `"true"` leaves the pod's inbound traffic to the app, uncaptured by ztunnel. */
export const BYPASS_INBOUND_CAPTURE = 'ambient.istio.io/bypass-inbound-capture';

function portList(value: string): string[] {
  return value.split(',').map(p => p.trim()).filter(p => p.length > 0);
}

/**
 * Why inbound TCP traffic to `port` of a pod with these annotations reaches the app without the mesh (no mTLS, no
 * authorization), or undefined when the mesh captures it. `mode` is how the pod is in the mesh.
 */
export function inboundBypass(annotations: unknown, port: number, mode: 'sidecar' | 'ambient'): string | undefined {
  const all: Record<string, unknown> = annotations !== null && typeof annotations === 'object' ? annotations as Record<string, unknown> : {};
  const text = (key: string) => (typeof all[key] === 'string' ? all[key] as string : undefined);
  if (mode === 'ambient') {
    return text(BYPASS_INBOUND_CAPTURE)?.trim().toLowerCase() === 'true' ? `${BYPASS_INBOUND_CAPTURE}: "true"` : undefined;
  }
  const interception = text(INTERCEPTION_MODE);
  if (interception !== undefined && interception.trim().toUpperCase() === 'NONE') return `${INTERCEPTION_MODE}: NONE`;
  const interfaces = text(EXCLUDE_INTERFACES);
  if (interfaces !== undefined && portList(interfaces).length > 0) {
    return `${EXCLUDE_INTERFACES}: "${interfaces}" (traffic on those interfaces is never redirected)`;
  }
  const excluded = text(EXCLUDE_INBOUND_PORTS);
  if (excluded !== undefined && portList(excluded).includes(String(port))) return `${EXCLUDE_INBOUND_PORTS}: "${excluded}"`;
  const included = text(INCLUDE_INBOUND_PORTS);
  if (included !== undefined && included.trim() !== '*' && !portList(included).includes(String(port))) {
    return `${INCLUDE_INBOUND_PORTS}: "${included}"`;
  }
  return undefined;
}
