import { ControlContext, Severity, Violation } from './core/control';
import { PodControl, PodView, pointer } from './core/pod-template';

/** The pod does not mount a Kubernetes API token. */
export class ServiceAccountToken extends PodControl {
  constructor() {
    super({
      id: 'service-account-token',
      title: 'Pods do not automount a service account token',
      severity: Severity.ERROR,
      rationale: 'A mounted token hands the Kubernetes API, with every permission of the service account, to anyone '
        + 'who gains code execution in the pod; most workloads never call the API.',
      remediation: 'Set automountServiceAccountToken: false in the pod spec. A workload that does call the API exempts '
        + 'this control with a reason (and gets a dedicated, least-privilege ServiceAccount).',
      references: {
        cis: 'CIS Kubernetes Benchmark 1.9: 5.1.6 (service account tokens only mounted where necessary)',
        nsa: 'NSA/CISA Kubernetes Hardening Guide 1.2: "Protecting Pod service account tokens"',
        polaris: ['automountServiceAccountToken'],
        kubeLinter: ['automount-service-account-token'],
        trivy: ['KSV036'],
        kyverno: ['restrict-automount-sa-token'],
      },
    });
  }

  protected checkPod(pod: PodView, _context: ControlContext): Violation[] {
    const value = pod.spec.automountServiceAccountToken;
    if (value === false) {
      return [];
    }
    // Unset means mounted: the default is true unless the ServiceAccount says otherwise, which a pod cannot rely on.
    return [{
      pointer: pointer(pod.specPointer, 'automountServiceAccountToken'),
      message: value === undefined || value === null
        ? 'pod spec leaves automountServiceAccountToken unset, so the token is mounted by default'
        : `pod spec has automountServiceAccountToken ${JSON.stringify(value)}, not false`,
    }];
  }
}
