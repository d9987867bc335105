import { everyContainer, podRule, securityContextField } from './core/cel';
import { ControlAdmission, ControlContext, Severity, Violation } from './core/control';
import { isWindowsPod, PodControl, PodView, pointer } from './core/pod-template';

/** Windows pods are exempt from PSS v1.25 (upstream `capabilitiesRestricted_1_25`). */
const WINDOWS_EXEMPT_SINCE_MINOR = 25;

/** Every container drops ALL capabilities and adds back at most NET_BIND_SERVICE. */
export class CapabilitiesDropAll extends PodControl {
  constructor() {
    super({
      id: 'capabilities-drop-all',
      title: 'Containers drop ALL capabilities and add back only NET_BIND_SERVICE',
      severity: Severity.ERROR,
      rationale: 'The runtime\'s default capability set (CHOWN, DAC_OVERRIDE, SETUID, NET_RAW...) is more than most '
        + 'applications need and widens what an attacker can do after gaining code execution.',
      remediation: 'Set securityContext.capabilities.drop: [ALL] on every container (the exact string ALL: the API '
        + 'compares strings, so "all" or "CAP_ALL" drop nothing) and add at most NET_BIND_SERVICE, without a CAP_ prefix.',
      references: {
        pss: 'restricted: Capabilities (v1.22+)',
        cis: 'CIS Kubernetes Benchmark 1.9: 5.2.9 (added capabilities) and 5.2.10 (capabilities assigned)',
        polaris: ['dangerousCapabilities', 'insecureCapabilities'],
        trivy: ['KSV003', 'KSV106'],
        kyverno: ['require-drop-all', 'disallow-capabilities-strict'],
      },
    });
  }

  public admission(context: ControlContext): ControlAdmission {
    const windowsExempt = context.pssVersion.atLeast(WINDOWS_EXEMPT_SINCE_MINOR) ? 'variables.isWindows || ' : '';
    const capabilities = securityContextField('c', 'capabilities');
    const check = everyContainer(`'ALL' in ${capabilities}.?drop.orValue([]) && ${capabilities}.?add.orValue([]).all(a, a == 'NET_BIND_SERVICE')`,
      'containers must drop ALL capabilities and add none but NET_BIND_SERVICE');
    return { rule: podRule([{ ...check, expression: windowsExempt + check.expression }]) };
  }

  protected checkPod(pod: PodView, context: ControlContext): Violation[] {
    // API validation forbids capabilities on Windows pods, so upstream admits them without them.
    if (context.pssVersion.atLeast(WINDOWS_EXEMPT_SINCE_MINOR) && isWindowsPod(pod)) return [];
    const violations: Violation[] = [];
    for (const c of pod.containers) {
      const capabilities = c.container.securityContext?.capabilities;
      const drop = capabilities?.drop;
      if (!Array.isArray(drop) || !drop.includes('ALL')) {
        const misspelt = Array.isArray(drop) && drop.some(d => unprefixed(d) === 'ALL');
        violations.push({
          pointer: pointer(c.pointer, 'securityContext', 'capabilities', 'drop'),
          message: drop === undefined || drop === null
            ? `${c.label} has capabilities.drop unset, so no capability is dropped`
            : `${c.label} has capabilities.drop ${JSON.stringify(drop)}, ${Array.isArray(drop) ? 'which does not contain "ALL"' : 'not a list containing "ALL"'}`,
          fix: misspelt ? 'Write the entry as "ALL" exactly: Pod Security Admission compares exact strings, without a CAP_ prefix' : undefined,
        });
      }
      const add = capabilities?.add ?? undefined;
      if (add === undefined) continue;
      if (!Array.isArray(add)) {
        violations.push({
          pointer: pointer(c.pointer, 'securityContext', 'capabilities', 'add'),
          message: `${c.label} has capabilities.add ${JSON.stringify(add)}, not a list`,
        });
        continue;
      }
      add.forEach((capability: any, index: number) => {
        if (capability !== 'NET_BIND_SERVICE') {
          violations.push({
            pointer: pointer(c.pointer, 'securityContext', 'capabilities', 'add', index),
            message: `${c.label} adds capability ${JSON.stringify(capability)}; only "NET_BIND_SERVICE" may be added`,
            fix: unprefixed(capability) === 'NET_BIND_SERVICE'
              ? 'Write the capability as "NET_BIND_SERVICE" exactly: Pod Security Admission compares exact strings, without a CAP_ prefix'
              : undefined,
          });
        }
      });
    }
    return violations;
  }
}

/** The capability name upper-cased and without a CAP_ prefix, to recognise misspellings for the fix hint. */
function unprefixed(capability: unknown): string | undefined {
  return typeof capability === 'string' ? capability.toUpperCase().replace(/^CAP_/, '') : undefined;
}
