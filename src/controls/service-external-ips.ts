import { SERVICE_RESOURCES } from './core/cel';
import { Control, ControlAdmission, ControlContext, Severity, Violation } from './core/control';
import { describeObject } from './core/cross-object';
import { apiGroupOf } from './core/manifest-index';
import { pointer } from './core/pod-template';

/** No Service lists externalIPs. */
export class ServiceExternalIps extends Control {
  constructor() {
    super({
      id: 'service-external-ips',
      title: 'Services do not set externalIPs',
      severity: Severity.ERROR,
      rationale: 'Any address listed in spec.externalIPs is intercepted by kube-proxy on every node: whoever can '
        + 'create a Service can redirect cluster traffic meant for that IP to their own pods (CVE-2020-8554, a '
        + 'man-in-the-middle that Kubernetes cannot fix by design).',
      remediation: 'Remove spec.externalIPs (an empty list is fine); expose the Service through an Ingress, a Gateway '
        + 'or a declared LoadBalancer instead.',
      references: {
        kyverno: ['restrict-external-ips'],
      },
    });
  }

  public admission(_context: ControlContext): ControlAdmission {
    return {
      rule: {
        resources: SERVICE_RESOURCES,
        validations: [{ expression: 'size(object.spec.?externalIPs.orValue([])) == 0', message: 'Services must not set spec.externalIPs' }],
      },
    };
  }

  public appliesTo(manifest: any, _context: ControlContext): boolean {
    return manifest?.kind === 'Service' && apiGroupOf(manifest) === '';
  }

  public check(manifest: any, context: ControlContext): Violation[] {
    if (!this.appliesTo(manifest, context)) return [];
    const ips = manifest.spec?.externalIPs;
    if (ips === undefined || ips === null) return [];
    if (!Array.isArray(ips)) {
      return [{ pointer: '/spec/externalIPs', message: `${describeObject(manifest)} has externalIPs ${JSON.stringify(ips)}` }];
    }
    return ips.map((ip: any, index: number) => ({
      pointer: pointer('/spec/externalIPs', index),
      message: `${describeObject(manifest)} has externalIPs[${index}] ${JSON.stringify(ip)}`,
    }));
  }
}
