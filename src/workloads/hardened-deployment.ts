import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { HardenedWorkloadProps } from './hardened-workload-props';
import { PodHardening } from './pod-hardening';
import { checkObjectNames, checkReplicas, NameRule } from '../defaults/kubernetes-validation';

/** Props of a HardenedDeployment: everything cdk8s-plus-27 accepts, plus the hardened options. */
export interface HardenedDeploymentProps extends kplus.DeploymentProps, HardenedWorkloadProps {}

/**
 * A Deployment that is secure by default.
 *
 * With only an image and a port it runs as uid/gid 65532 with a read-only root filesystem (writable `/tmp`),
 * no privilege escalation, every capability dropped, seccomp RuntimeDefault, no service-account token, resource
 * requests and limits from a preset, and derived readiness and liveness probes. It brings a dedicated
 * ServiceAccount, a NetworkPolicy that selects exactly its pods (no ingress, DNS-only egress until peers are
 * declared) and, from two replicas, a PodDisruptionBudget and spreading across nodes.
 *
 * Every object below it is guarded at synthesis: weakening a default, through props or an escape hatch, fails
 * synthesis unless an exemption with a reason covers it.
 */
export class HardenedDeployment extends kplus.Deployment {
  /** The hardening applied to this deployment's pods (resolved uid, gid, preset). */
  private readonly hardening: PodHardening;

  constructor(scope: Construct, id: string, props: HardenedDeploymentProps = {}) {
    super(scope, id, PodHardening.superProps(scope, id, checkReplicas(scope, id, props)));
    checkObjectNames(this.node.path, 'Deployment', this.name, this.metadata.namespace, NameRule.DNS_SUBDOMAIN);
    this.hardening = new PodHardening(this, props, { longRunning: true, replicas: props.replicas ?? 2 });
    this.hardening.complete(props);
  }

  /**
   * Exposes the pods through a Service (see cdk8s-plus-27) that carries this workload's recommended
   * `app.kubernetes.io/*` labels, like its other companion objects, so reviewers and tools can tell whose it is.
   * @param options the Service's name, type and ports (default: the containers' ports).
   */
  public exposeViaService(options?: kplus.DeploymentExposeViaServiceOptions): kplus.Service {
    const service = super.exposeViaService(options);
    for (const [key, value] of Object.entries(this.hardening.labels)) service.metadata.addLabel(key, value);
    return service;
  }

  /** Adds a container with the hardened defaults filled in (explicit settings win and are guarded). */
  public addContainer(cont: kplus.ContainerProps): kplus.Container {
    return super.addContainer(this.hardening.containerProps(cont, 'containers', this.containers.length));
  }

  /** Adds an init container with the hardened defaults filled in (explicit settings win and are guarded). */
  public addInitContainer(cont: kplus.ContainerProps): kplus.Container {
    return super.addInitContainer(this.hardening.containerProps(cont, 'initContainers', this.initContainers.length));
  }

  /** @internal */
  public _toPodSpec(): kplus.k8s.PodSpec {
    return this.hardening.finalizePodSpec(super._toPodSpec());
  }
}
