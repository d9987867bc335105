import * as kplus from 'cdk8s-plus-27';
import { parseCidr, strictlyContains } from './cidr';
import { ingressTargets } from './ingress-targets';
import { NamespaceEgress, NamespaceIngress } from './isolated-namespace';
import { isDnsLabel } from '../defaults/kubernetes-validation';

// The boundary entries of an IsolatedNamespace (allowIngressFrom, allowEgressTo), checked once at construction.

/** A checked ingress entry, its ports rendered. */
export interface CheckedIngress {
  readonly fromNamespace: string;
  readonly podLabels?: { [key: string]: string };
  readonly ports: kplus.k8s.NetworkPolicyPort[];
  readonly toPodLabels: { [key: string]: string };
}

export function checkIngress(path: string, field: string, entry: NamespaceIngress): CheckedIngress {
  if (entry === null || typeof entry !== 'object') {
    throw new Error(`[${path}] ${field}: ${JSON.stringify(entry)} is not an entry; give { fromNamespace, podLabels?, ports, toPodLabels }`);
  }
  const from = entry.fromNamespace;
  if (!isDnsLabel(from)) {
    throw new Error(`[${path}] ${field}.fromNamespace: ${JSON.stringify(from)} is not a namespace name; use the name of the namespace `
      + 'the traffic comes from, e.g. \'ingress-nginx\'');
  }
  if (entry.podLabels !== undefined) {
    const entries = Object.entries(entry.podLabels);
    if (entries.length === 0) {
      throw new Error(`[${path}] ${field}.podLabels: {} selects every pod; leave podLabels out to mean every pod of '${from}', or name labels`);
    }
    for (const [key, value] of entries) checkLabel(path, `${field}.podLabels`, key, value);
  }
  return { fromNamespace: from, podLabels: entry.podLabels, ports: checkPorts(path, `${field}.ports`, entry.ports), toPodLabels: checkedTargets(path, field, entry) };
}

function checkedTargets(path: string, field: string, entry: NamespaceIngress): { [key: string]: string } {
  const labels = ingressTargets(path, field, entry);
  for (const [key, value] of Object.entries(labels)) checkLabel(path, `${field}.toPodLabels`, key, value);
  return labels;
}

/** A checked egress entry, its ports rendered. */
export interface CheckedEgress {
  readonly name: string;
  readonly cidr: string;
  readonly except?: string[];
  readonly ports: kplus.k8s.NetworkPolicyPort[];
}

export function checkEgress(path: string, field: string, entry: NamespaceEgress): CheckedEgress {
  if (entry === null || typeof entry !== 'object') {
    throw new Error(`[${path}] ${field}: ${JSON.stringify(entry)} is not an entry; give { name, cidr, exceptCidrs?, ports }`);
  }
  const name = entry.name;
  if (!isDnsLabel(name)) {
    throw new Error(`[${path}] ${field}.name: ${JSON.stringify(name)} is not a DNS label; name the destination with at most 63 lowercase `
      + 'letters, digits and \'-\', e.g. \'payments-api\'');
  }
  const cidr = parseCidr(entry.cidr);
  if (!cidr) {
    throw new Error(`[${path}] ${field}.cidr: ${JSON.stringify(entry.cidr)} is not a CIDR block; use an address and prefix length, `
      + 'e.g. \'203.0.113.0/24\' or \'2001:db8::/32\'');
  }
  (entry.exceptCidrs ?? []).forEach((text, index) => {
    const except = parseCidr(text);
    if (!except || !strictlyContains(cidr, except)) {
      throw new Error(`[${path}] ${field}.exceptCidrs[${index}]: ${JSON.stringify(text)} is not a CIDR block strictly inside ${entry.cidr}; `
        + 'list only networks within cidr, with a longer prefix');
    }
  });
  return { name, cidr: entry.cidr, except: entry.exceptCidrs, ports: checkPorts(path, `${field}.ports`, entry.ports) };
}

function checkPorts(path: string, field: string, ports: kplus.NetworkPolicyPort[] | undefined): kplus.k8s.NetworkPolicyPort[] {
  if (!Array.isArray(ports) || ports.length === 0) {
    throw new Error(`[${path}] ${field}: ${JSON.stringify(ports)} names no port; allow specific ports, e.g. [kplus.NetworkPolicyPort.tcp(8080)]`);
  }
  return ports.map((port, index) => {
    if (!(port instanceof kplus.NetworkPolicyPort)) {
      throw new Error(`[${path}] ${field}[${index}]: ${JSON.stringify(port)} is not a NetworkPolicyPort; use e.g. kplus.NetworkPolicyPort.tcp(8080)`);
    }
    const rendered = port._toKube();
    const number = rendered.port?.value;
    const valid = (n: unknown) => Number.isInteger(n) && (n as number) >= 1 && (n as number) <= 65535;
    if (typeof number === 'number' && !valid(number)) {
      // cdk8s-plus-27's allTcp()/allUdp() render port 0, which the API server rejects.
      const hint = number === 0 ? ' (NetworkPolicyPort.allTcp() and allUdp() render port 0, which Kubernetes rejects: use tcpRange(1, 65535))' : '';
      throw new Error(`[${path}] ${field}[${index}]: port ${number} is not a port number${hint}; use an integer from 1 to 65535`);
    }
    if (rendered.endPort !== undefined && (!valid(rendered.endPort) || typeof number !== 'number' || rendered.endPort < number)) {
      throw new Error(`[${path}] ${field}[${index}]: port range ${JSON.stringify(number)}-${rendered.endPort} is not a range; `
        + 'use a start and an end port from 1 to 65535, the end no smaller than the start');
    }
    return rendered;
  });
}

const LABEL_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const LABEL_PREFIX = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

function checkLabel(path: string, field: string, key: string, value: unknown): void {
  const slash = key.lastIndexOf('/');
  const prefix = slash < 0 ? undefined : key.slice(0, slash);
  const name = key.slice(slash + 1);
  if (name.length > 63 || !LABEL_NAME.test(name) || (prefix !== undefined && (prefix.length > 253 || !LABEL_PREFIX.test(prefix)))) {
    throw new Error(`[${path}] ${field}: key ${JSON.stringify(key)} is not a label key; use [prefix/]name, e.g. 'app.kubernetes.io/name'`);
  }
  if (typeof value !== 'string' || value.length > 63 || (value !== '' && !LABEL_NAME.test(value))) {
    throw new Error(`[${path}] ${field}['${key}']: ${JSON.stringify(value)} is not a label value; use at most 63 letters, digits, '-', '_' `
      + 'or \'.\', starting and ending alphanumeric');
  }
}
