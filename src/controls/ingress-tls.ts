import { Control, ControlAdmission, ControlContext, Severity, Violation } from './core/control';
import { describeObject } from './core/cross-object';
import { apiGroupOf } from './core/manifest-index';
import { isObject, pointer } from './core/pod-template';

/** True when a TLS host entry covers a rule host: equal, or a `*.` wildcard matching exactly one leading label. */
function covers(tlsHost: string, host: string): boolean {
  const t = tlsHost.toLowerCase();
  const h = host.toLowerCase();
  if (t === h) return true;
  if (!t.startsWith('*.') || h.startsWith('*.')) return false;
  const dot = h.indexOf('.');
  return dot > 0 && h.slice(dot + 1) === t.slice(2);
}

/** Every Ingress terminates TLS for every host it routes, and routes only explicit hosts. */
export class IngressTls extends Control {
  constructor() {
    super({
      id: 'ingress-tls',
      title: 'Ingresses serve TLS for explicit hosts only',
      severity: Severity.WARNING,
      rationale: 'Without spec.tls the ingress controller serves the routes over plain HTTP, exposing credentials '
        + 'and session tokens on the wire; a rule without a host answers requests for any host name, so the '
        + 'application is reachable under names nobody holds a certificate for.',
      remediation: 'Give every Ingress rule an explicit spec.rules[*].host and list every host in spec.tls[*].hosts '
        + 'with the secretName of its certificate (or a `*.domain` wildcard entry covering it).',
      references: {
        polaris: ['tlsSettingsMissing'],
        kyverno: ['disallow-empty-ingress-host'],
      },
    });
  }

  public admission(_context: ControlContext): ControlAdmission {
    // covers(t, h), as in the check: equal (case-insensitively), or a `*.` wildcard over exactly one more label.
    const celCovers = (t: string, h: string) => `(${t}.lowerAscii() == ${h}.lowerAscii() || (${t}.startsWith('*.') && !${h}.startsWith('*.')`
      + ` && ${h}.indexOf('.') > 0 && ${h}.lowerAscii().substring(${h}.indexOf('.') + 1) == ${t}.lowerAscii().substring(2)))`;
    return {
      rule: {
        resources: [{ apiGroup: 'networking.k8s.io', resource: 'ingresses', kind: 'Ingress' }],
        validations: [
          { expression: 'size(object.spec.?tls.orValue([])) > 0', message: 'Ingresses must serve TLS (spec.tls)' },
          { expression: 'size(object.spec.?rules.orValue([])) > 0', message: 'Ingresses must have rules with an explicit host' },
          {
            expression: "object.spec.?rules.orValue([]).all(r, r.?host.orValue('').trim() != '' && (size(object.spec.?tls.orValue([])) == 0"
              + ` || object.spec.tls.exists(t, t.?hosts.orValue([]).exists(x, ${celCovers('x', 'r.host')}))))`,
            message: 'every Ingress rule must name a host covered by spec.tls[*].hosts',
          },
        ],
      },
    };
  }

  public appliesTo(manifest: any, _context: ControlContext): boolean {
    const group = apiGroupOf(manifest);
    return manifest?.kind === 'Ingress' && (group === 'networking.k8s.io' || group === 'extensions');
  }

  public check(manifest: any, context: ControlContext): Violation[] {
    if (!this.appliesTo(manifest, context)) return [];
    const violations: Violation[] = [];
    const tls = manifest.spec?.tls;
    const hasTls = Array.isArray(tls) && tls.length > 0;
    if (!hasTls) {
      violations.push({ pointer: '/spec/tls', message: `${describeObject(manifest)} has no spec.tls: its routes are served over plain HTTP` });
    }
    const tlsHosts: string[] = hasTls
      ? tls.flatMap((t: any) => (isObject(t) && Array.isArray(t.hosts) ? t.hosts.filter((h: any) => typeof h === 'string') : []))
      : [];
    const rules = manifest.spec?.rules;
    if (!Array.isArray(rules) || rules.length === 0) {
      violations.push({
        pointer: '/spec/rules',
        message: `${describeObject(manifest)} has no rules with an explicit host: its default backend answers every host name`,
      });
      return violations;
    }
    rules.forEach((rule: any, index: number) => {
      const host = isObject(rule) ? rule.host : undefined;
      if (typeof host !== 'string' || host.trim() === '') {
        violations.push({
          pointer: pointer('/spec/rules', index, 'host'),
          message: `${describeObject(manifest)} rules[${index}] has host ${JSON.stringify(host) ?? 'unset'}: it answers every host name`,
        });
      } else if (hasTls && !tlsHosts.some(t => covers(t, host))) {
        violations.push({
          pointer: pointer('/spec/rules', index, 'host'),
          message: `${describeObject(manifest)} rules[${index}] host '${host}' is not covered by any spec.tls[*].hosts entry`,
          fix: `Add '${host}' to spec.tls[*].hosts with the secretName of a certificate for it.`,
        });
      }
    });
    return violations;
  }
}
