import { SERVICE_RESOURCES } from './core/cel';
import { Control, ControlAdmission, ControlContext, Severity, Violation } from './core/control';
import { describeObject } from './core/cross-object';
import { apiGroupOf } from './core/manifest-index';

/** No Service of type NodePort. */
export class ServiceNodePort extends Control {
  constructor() {
    super({
      id: 'service-node-port',
      title: 'Services are not of type NodePort',
      severity: Severity.ERROR,
      rationale: 'A NodePort Service opens the same port on every node, reachable by anything that can reach a node '
        + 'and outside the control of NetworkPolicies on the pods\' host ports; it bypasses the ingress controller '
        + 'or load balancer where TLS, authentication and rate limits live.',
      remediation: 'Use a ClusterIP Service and expose it through an Ingress or Gateway (or, when required, a '
        + 'declared LoadBalancer); remove spec.type NodePort and any spec.ports[*].nodePort.',
      references: {
        kubeScore: ['service-type'],
        kubeLinter: ['exposed-services'],
        kyverno: ['restrict-nodeport'],
      },
    });
  }

  public admission(_context: ControlContext): ControlAdmission {
    return {
      rule: {
        resources: SERVICE_RESOURCES,
        validations: [{ expression: "object.spec.?type.orValue('') != 'NodePort'", message: 'Services must not have type NodePort' }],
      },
    };
  }

  public appliesTo(manifest: any, _context: ControlContext): boolean {
    return manifest?.kind === 'Service' && apiGroupOf(manifest) === '';
  }

  public check(manifest: any, context: ControlContext): Violation[] {
    if (!this.appliesTo(manifest, context) || manifest.spec?.type !== 'NodePort') return [];
    return [{ pointer: '/spec/type', message: `${describeObject(manifest)} has type NodePort` }];
  }
}
