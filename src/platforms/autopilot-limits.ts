import { parseAmount, ResourceName } from '../namespaces/quantity';

// GKE Autopilot, general-purpose compute class (the default), clusters that support bursting (GKE 1.30.2 and later):
// https://cloud.google.com/kubernetes-engine/docs/concepts/autopilot-resource-requests ("Minimum and maximum resource
// requests"); what its admission rejects: https://cloud.google.com/kubernetes-engine/docs/concepts/autopilot-security.
// Below a minimum or outside the ratio Autopilot silently raises the requests (the pod then costs and counts more than
// the YAML says); above a maximum it rejects the pod. Both are refused here, so the YAML is what runs.

const MIB = 1024 * 1024;
const GIB = 1024 * MIB;

/** Per pod, general-purpose class: [minimum, maximum] of the requests, in millicores or bytes. */
export const AUTOPILOT_POD_REQUESTS: Record<ResourceName, [number, number]> = {
  'cpu': [50, 30_000],
  'memory': [52 * MIB, 110 * GIB],
  'ephemeral-storage': [10 * MIB, 10 * GIB],
};
/** GiB of memory per vCPU requested, per pod: at least 1, at most 6.5. */
export const AUTOPILOT_MEMORY_PER_CPU: [number, number] = [1, 6.5];

function requestsOf(container: any, resource: ResourceName): number {
  return parseAmount(container?.resources?.requests?.[resource], resource) ?? 0;
}

/** The pod's effective request: the sum of its containers, or its largest init container if that is larger. */
function podRequest(spec: any, resource: ResourceName): number {
  const sum = (spec?.containers ?? []).reduce((total: number, c: any) => total + requestsOf(c, resource), 0);
  const init = Math.max(0, ...(spec?.initContainers ?? []).map((c: any) => requestsOf(c, resource)));
  return Math.max(sum, init);
}

function show(resource: ResourceName, amount: number): string {
  if (resource === 'cpu') return `${amount}m`;
  return amount % GIB === 0 ? `${amount / GIB}Gi` : `${Math.ceil(amount / MIB)}Mi`;
}

/** The requests Autopilot would reject or change in a pod spec (manifest JSON); empty when it admits them as they are. */
export function autopilotResourceProblems(spec: any): string[] {
  const problems: string[] = [];
  for (const [resource, [min, max]] of Object.entries(AUTOPILOT_POD_REQUESTS) as Array<[ResourceName, [number, number]]>) {
    const amount = podRequest(spec, resource);
    if (amount < min) {
      problems.push(`the pod requests ${show(resource, amount)} ${resource}, below Autopilot's minimum ${show(resource, min)} (Autopilot would raise it); `
        + `request at least ${show(resource, min)}`);
    } else if (amount > max) {
      problems.push(`the pod requests ${show(resource, amount)} ${resource}, above Autopilot's maximum ${show(resource, max)} for the general-purpose `
        + 'class (Autopilot rejects the pod); request less, or select a compute class that allows it');
    }
  }
  const cpu = podRequest(spec, 'cpu');
  const memory = podRequest(spec, 'memory');
  if (cpu > 0) {
    const ratio = (memory / GIB) / (cpu / 1000);
    const [low, high] = AUTOPILOT_MEMORY_PER_CPU;
    if (ratio < low || ratio > high) {
      const fit = ratio < low ? `raise memory to at least ${show('memory', Math.ceil(low * (cpu / 1000) * 1024) * MIB)} or lower cpu`
        : `raise cpu to at least ${show('cpu', Math.ceil((memory / GIB / high) * 1000))} or lower memory`;
      problems.push(`the pod requests ${show('cpu', cpu)} cpu and ${show('memory', memory)} memory, ${ratio.toFixed(2)} GiB per vCPU, outside Autopilot's `
        + `${low}:${high} range (Autopilot would change the requests); ${fit}`);
    }
  }
  return problems;
}

/**
 * The capabilities Autopilot admits in `capabilities.add`: containerd's default set without NET_RAW, and SYS_PTRACE
 * (autopilot-security, "Linux capabilities"). NET_RAW needs an allowlisted partner workload and NET_ADMIN the cluster's
 * allow-net-admin workload policy: both refused here, as on a default cluster.
 */
export const AUTOPILOT_ADDABLE_CAPABILITIES = [
  'AUDIT_WRITE', 'CHOWN', 'DAC_OVERRIDE', 'FOWNER', 'FSETID', 'KILL', 'MKNOD', 'NET_BIND_SERVICE', 'SETFCAP', 'SETGID', 'SETPCAP',
  'SETUID', 'SYS_CHROOT', 'SYS_PTRACE',
];
/** Host namespaces Autopilot's admission refuses outside allowlisted partner workloads. */
const HOST_NAMESPACES = ['hostNetwork', 'hostPID', 'hostIPC'];

/**
 * What else Autopilot's admission rejects in a pod spec: host namespaces, privileged containers, added capabilities
 * outside AUTOPILOT_ADDABLE_CAPABILITIES, hostPath outside /var/log.
 */
export function autopilotAdmissionProblems(spec: any): string[] {
  const problems: string[] = [];
  for (const field of HOST_NAMESPACES) {
    if (spec?.[field] === true) problems.push(`the pod sets ${field}: true, which Autopilot rejects`);
  }
  const containers = [...spec?.initContainers ?? [], ...spec?.containers ?? []];
  for (const c of containers) {
    if (c?.securityContext?.privileged === true) {
      problems.push(`container '${c.name}' is privileged, which Autopilot rejects`);
    }
    const added: unknown[] = Array.isArray(c?.securityContext?.capabilities?.add) ? c.securityContext.capabilities.add : [];
    for (const cap of added) {
      const name = typeof cap === 'string' ? cap.toUpperCase().replace(/^CAP_/, '') : undefined;
      if (name !== undefined && AUTOPILOT_ADDABLE_CAPABILITIES.includes(name)) continue;
      problems.push(`container '${c.name}' adds capability ${typeof cap === 'string' ? cap : JSON.stringify(cap)}, which Autopilot rejects `
        + `(it admits only ${AUTOPILOT_ADDABLE_CAPABILITIES.join(', ')})`);
    }
  }
  for (const v of spec?.volumes ?? []) {
    const hostPath = v?.hostPath?.path;
    if (typeof hostPath === 'string' && hostPath !== '/var/log' && !hostPath.startsWith('/var/log/')) {
      problems.push(`volume '${v.name}' is a hostPath volume of ${hostPath}; Autopilot only admits hostPath volumes under /var/log`);
    }
  }
  return problems;
}
