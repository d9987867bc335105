import { Control, ControlAdmission, ControlContext, Severity, Violation } from './core/control';
import { describeObject, effectiveNamespace } from './core/cross-object';
import { apiGroupOf } from './core/manifest-index';
import { Direction, openRulesOf } from './core/network-policy-rules';

const DIRECTIONS: Direction[] = ['ingress', 'egress'];

/** No NetworkPolicy rule admits every peer on every port, whatever pods the policy selects. */
export class NetworkPolicyAllowAll extends Control {
  constructor() {
    super({
      id: 'network-policy-allow-all',
      title: 'NetworkPolicy rules do not admit every peer on every port',
      severity: Severity.ERROR,
      rationale: 'NetworkPolicies are additive: one rule admitting everyone re-opens a direction for every pod the policy '
        + 'selects, whatever a default deny or the workload\'s own policy says, and it reads like a restriction. A rule '
        + 'admits every peer when it has no from/to (or an empty list), or a peer that is everyone: an empty peer, an '
        + 'ipBlock whose CIDR minus its except covers every IPv4 or every IPv6 address (0.0.0.0/0, ::/0, or a CIDR '
        + 'with host bits such as 10.0.0.0/0), or a namespaceSelector that requires no label ({}, or only DoesNotExist '
        + '/ NotIn exclusions, or kubernetes.io/metadata.name Exists) with no podSelector or one that requires none: '
        + 'every pod of the cluster, including namespaces created later. It admits every port when it has no ports, '
        + 'ports: [], a port entry without a port number (every port of that protocol), or port ranges covering 1-65535 '
        + 'for one protocol. Rules admitting every port whose ipBlocks together cover all of IPv4 or IPv6 '
        + '(0.0.0.0/1 and 128.0.0.0/1) count as one such rule. Rules of both directions are checked, listed in '
        + 'policyTypes or not, and whatever the policy\'s podSelector. Not counted: a union that leaves out one address, '
        + 'an ipBlock with an except, named peers (a podSelector alone is the policy\'s namespace), rules with ports; '
        + 'several policies are not combined.',
      remediation: 'Name the peers (namespaceSelector and podSelector matching the workloads, or the CIDRs of the external '
        + 'services) and the ports each rule admits; for traffic from outside the cluster, restrict the ports (e.g. '
        + 'ipBlock 0.0.0.0/0 on port 443 only). A policy that really must admit everything exempts this control with '
        + 'the reason.',
      references: {
        nsa: 'NSA/CISA Kubernetes Hardening Guide 1.2: "Network separation and hardening: Network policies"',
      },
    });
  }

  public admission(_context: ControlContext): ControlAdmission {
    return { notEnforcedReason: 'Judges whether ipBlocks and their excepts cover every address (CIDR arithmetic across peers), which the CEL form cannot mirror exactly.' };
  }

  public appliesTo(manifest: any, _context: ControlContext): boolean {
    return manifest?.kind === 'NetworkPolicy' && apiGroupOf(manifest) === 'networking.k8s.io';
  }

  public check(manifest: any, context: ControlContext): Violation[] {
    if (!this.appliesTo(manifest, context)) return [];
    const policy = `${describeObject(manifest)} in namespace '${effectiveNamespace(manifest)}'`;
    return DIRECTIONS.flatMap(direction => openRulesOf(manifest, direction).map(open => ({
      pointer: open.pointer,
      message: `${policy} admits every peer on every port for ${direction}: ${open.reason}`,
      fix: `Name the peers and ports this ${direction} rule admits, or exempt ${describeObject(manifest)} with the reason it must admit everything.`,
    })));
  }
}
