import { podCheck, podRule } from './core/cel';
import { ControlAdmission, ControlContext, Severity, Violation } from './core/control';
import { isObject, PodControl, PodView, pointer } from './core/pod-template';

/** The account a pod runs as (serviceAccountName, else the deprecated serviceAccount, else default) and its field. */
function accountOf(spec: any): { account: string; field: string } {
  for (const field of ['serviceAccountName', 'serviceAccount']) {
    if (typeof spec[field] === 'string' && spec[field] !== '') return { account: spec[field], field };
  }
  return { account: 'default', field: 'serviceAccountName' };
}

/** Every `serviceAccountToken` source of a projected volume, with its pointer. */
function projectedTokensOf(pod: PodView): Array<{ volumePointer: string; name: string }> {
  const volumes = Array.isArray(pod.spec.volumes) ? pod.spec.volumes : [];
  return volumes.flatMap((volume: any, index: number) => {
    const sources = Array.isArray(volume?.projected?.sources) ? volume.projected.sources : [];
    return sources.flatMap((source: any, j: number) => {
      if (!isObject(source) || source.serviceAccountToken === undefined || source.serviceAccountToken === null) return [];
      return [{ volumePointer: pointer(pod.specPointer, 'volumes', index, 'projected', 'sources', j, 'serviceAccountToken'), name: String(volume?.name) }];
    });
  });
}

/** The pod mounts no Kubernetes API token: neither automounted nor projected. */
export class ServiceAccountToken extends PodControl {
  constructor() {
    super({
      id: 'service-account-token',
      title: 'Pods do not mount a service account token, automounted or projected',
      severity: Severity.ERROR,
      rationale: 'A mounted token hands the Kubernetes API, with every permission of the service account, to anyone '
        + 'who gains code execution in the pod; most workloads never call the API. A projected volume with a '
        + 'serviceAccountToken source is the same token by the side door (automountServiceAccountToken: false does not '
        + 'stop it), and its shorter lifetime does not narrow what it grants while valid (the kubelet renews it), so it '
        + 'is an error too. A token of the namespace\'s default account is reported on its own, at serviceAccountName, '
        + 'so that an exemption for a token volume never covers it.',
      remediation: 'Set automountServiceAccountToken: false in the pod spec and mount no serviceAccountToken volume. A '
        + 'workload that does call the API uses a LeastPrivilegeServiceAccount with permissions: the library projects its '
        + 'token and exempts exactly that volume (pinned to its JSON), never for the default account; any other token '
        + 'is exempted with a reason.',
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

  public admission(_context: ControlContext): ControlAdmission {
    return {
      rule: podRule([
        podCheck('variables.podSpec.?automountServiceAccountToken.orValue(true) == false',
          'the pod must set automountServiceAccountToken: false'),
        podCheck('variables.podSpec.?volumes.orValue([]).all(v, v.?projected.?sources.orValue([]).all(s, !has(s.serviceAccountToken)))',
          'the pod must not project a service account token (projected volume serviceAccountToken source)'),
      ]),
    };
  }

  protected checkPod(pod: PodView, _context: ControlContext): Violation[] {
    const violations: Violation[] = [];
    const { account, field } = accountOf(pod.spec);
    const value = pod.spec.automountServiceAccountToken;
    // Unset means mounted: the default is true unless the ServiceAccount says otherwise, which a pod cannot rely on.
    if (value !== false) {
      violations.push({
        pointer: pointer(pod.specPointer, 'automountServiceAccountToken'),
        message: value === undefined || value === null
          ? 'pod spec leaves automountServiceAccountToken unset, so the token is mounted by default'
          : `pod spec has automountServiceAccountToken ${JSON.stringify(value)}, not false`,
      });
    }
    const projected = projectedTokensOf(pod);
    for (const { volumePointer, name } of projected) {
      violations.push({
        pointer: volumePointer,
        message: `volume '${name}' projects an API token of ServiceAccount '${account}' into the pod, `
          + 'whatever automountServiceAccountToken says',
        fix: 'Remove the serviceAccountToken source. A workload that calls the API uses a LeastPrivilegeServiceAccount with '
          + 'permissions (its token is exempted by the library), or exempts this volume with the reason.',
      });
    }
    // Separate finding, at the account: an exemption pinned to the token volume does not cover it.
    if (account === 'default' && (value !== false || projected.length > 0)) {
      violations.push({
        pointer: pointer(pod.specPointer, field),
        message: 'pod spec mounts an API token of ServiceAccount \'default\', which every pod of the namespace naming no '
          + 'account shares, with every permission granted to it',
        fix: 'Run the pod as a ServiceAccount of its own (LeastPrivilegeServiceAccount) and mount no token for default.',
      });
    }
    return violations;
  }
}
