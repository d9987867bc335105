import { celString, SERVICE_RESOURCES } from './core/cel';
import { Control, ControlAdmission, ControlContext, Severity, Violation } from './core/control';
import { describeObject } from './core/cross-object';
import { apiGroupOf } from './core/manifest-index';

/** The annotation that declares a LoadBalancer Service intentional; its value says why. */
export const LOAD_BALANCER_REASON_ANNOTATION = 'cdk8s-hardened.io/load-balancer-reason';

/** A Service of type LoadBalancer is declared explicitly, with a reason. */
export class ServiceLoadBalancer extends Control {
  constructor() {
    super({
      id: 'service-load-balancer',
      title: 'LoadBalancer Services are declared explicitly',
      severity: Severity.WARNING,
      rationale: 'A LoadBalancer Service usually provisions an internet-facing cloud load balancer (and node ports '
        + 'behind it), exposing the pods directly without the TLS, authentication and rate limits of the ingress '
        + 'layer; it should exist only where someone decided it must.',
      remediation: 'Prefer a ClusterIP Service behind an Ingress or Gateway. Where a LoadBalancer is required, '
        + `declare it by annotating the Service with ${LOAD_BALANCER_REASON_ANNOTATION}: <why it must be exposed>, `
        + 'and restrict it (spec.loadBalancerSourceRanges, an internal load balancer annotation of the cloud provider, '
        + 'allocateLoadBalancerNodePorts: false where supported).',
      references: {
        kubeLinter: ['exposed-services'],
        kyverno: ['no-loadbalancer-service'],
      },
    });
  }

  public admission(_context: ControlContext): ControlAdmission {
    return {
      rule: {
        resources: SERVICE_RESOURCES,
        validations: [{
          expression: 'object.spec.?type.orValue(\'\') != \'LoadBalancer\''
            + ` || object.metadata.?annotations[?${celString(LOAD_BALANCER_REASON_ANNOTATION)}].orValue('').trim() != ''`,
          message: `Services of type LoadBalancer must say why in the ${LOAD_BALANCER_REASON_ANNOTATION} annotation`,
        }],
      },
    };
  }

  public appliesTo(manifest: any, _context: ControlContext): boolean {
    return manifest?.kind === 'Service' && apiGroupOf(manifest) === '';
  }

  public check(manifest: any, context: ControlContext): Violation[] {
    if (!this.appliesTo(manifest, context) || manifest.spec?.type !== 'LoadBalancer') return [];
    const reason = manifest.metadata?.annotations?.[LOAD_BALANCER_REASON_ANNOTATION];
    if (typeof reason === 'string' && reason.trim() !== '') return [];
    return [{
      pointer: '/spec/type',
      message: `${describeObject(manifest)} has type LoadBalancer without a non-empty ${LOAD_BALANCER_REASON_ANNOTATION} annotation`,
      fix: `Use type ClusterIP behind an Ingress, or annotate the Service with ${LOAD_BALANCER_REASON_ANNOTATION}: <why it must be exposed>.`,
    }];
  }
}
