import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { HardenedWorkloadProps } from './hardened-workload-props';
import { PodHardening } from './pod-hardening';
import { checkObjectNames, NameRule } from '../defaults/kubernetes-validation';

/**
 * Props of a HardenedJob: everything cdk8s-plus-27 accepts, plus the hardened options.
 *
 * Defaults that differ from cdk8s-plus-27's (see HardenedJob): `backoffLimit` HardenedDefaults.JOB_BACKOFF_LIMIT,
 * `activeDeadline` HardenedDefaults.JOB_ACTIVE_DEADLINE_SECONDS, `ttlAfterFinished`
 * HardenedDefaults.JOB_TTL_SECONDS_AFTER_FINISHED; `restartPolicy` is Never or OnFailure (Always is refused).
 */
export interface HardenedJobProps extends kplus.JobProps, HardenedWorkloadProps {}

/**
 * A Job that is secure by default.
 *
 * Its pods get the same hardening as a HardenedDeployment's (numeric non-root uid/gid, read-only root filesystem,
 * no privilege escalation, every capability dropped, seccomp RuntimeDefault, no service-account token, resources
 * from a preset), a dedicated ServiceAccount and a NetworkPolicy selecting exactly its pods. It runs to
 * completion: no derived probes, and restartPolicy Never (`OnFailure` may be set; `Always` is refused at
 * construction).
 *
 * Job defaults where cdk8s-plus-27 and Kubernetes set none or a looser one (no catalog control: they bound wasted
 * work, how long a hung task holds its resources and credentials, and leftover pods), each overridable by its
 * cdk8s-plus prop:
 * - `backoffLimit`: HardenedDefaults.JOB_BACKOFF_LIMIT (3 retries; Kubernetes retries 6 times);
 * - `activeDeadline`: HardenedDefaults.JOB_ACTIVE_DEADLINE_SECONDS (10 minutes; Kubernetes sets no deadline);
 * - `ttlAfterFinished`: HardenedDefaults.JOB_TTL_SECONDS_AFTER_FINISHED (deleted 1 hour after it finishes;
 *   Kubernetes keeps it forever).
 *
 * Every object below it is guarded at synthesis: weakening a default, through props or an escape hatch, fails
 * synthesis unless an exemption with a reason covers it.
 */
export class HardenedJob extends kplus.Job {
  /** The hardening applied to this job's pods (resolved uid, gid, preset). */
  private readonly hardening: PodHardening;

  constructor(scope: Construct, id: string, props: HardenedJobProps = {}) {
    super(scope, id, PodHardening.jobSuperProps(scope, id, props, true));
    // The Job's name becomes the `job-name` label of its pods: a label value of at most 63 characters.
    checkObjectNames(this.node.path, 'Job', this.name, this.metadata.namespace, NameRule.DNS_SUBDOMAIN, 63);
    this.hardening = new PodHardening(this, props, { longRunning: false });
    this.hardening.complete(props);
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
