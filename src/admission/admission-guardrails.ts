import { ApiObject, Chart, ChartProps } from 'cdk8s';
import { Construct, IConstruct } from 'constructs';
import { AdmissionExemption } from './admission-exemption';
import { AdmissionOptions } from './admission-options';
import { NotEnforcedControl } from './not-enforced-control';
import { admissionPolicies } from './policies';
import { Controls } from '../controls/controls';
import { Control } from '../controls/core/control';
import { PssVersion } from '../controls/core/pss-version';
import { HardenedDefaults } from '../defaults/hardened-defaults';
import { Exemptions } from '../guard/exemption';
import { FindingStatus } from '../guard/finding';
import { Guard } from '../guard/guard';
import { GuardReport } from '../guard/report';

/** Props of AdmissionGuardrails: a chart's props and what its policies enforce. */
export interface AdmissionGuardrailsProps extends ChartProps, AdmissionOptions {}

/**
 * The catalog enforced in the cluster: a ValidatingAdmissionPolicy (`admissionregistration.k8s.io/v1`, Kubernetes
 * 1.30+) named `cdk8s-hardened-<control-id>` and its binding for every control of the profile that judges one object
 * alone, so that objects applied by any path (kubectl, Helm, an operator) meet the same controls as the app's.
 *
 * The bindings judge every namespace except kube-system, kube-public and kube-node-lease, and any namespace labelled
 * `admission.cdk8s-hardened.io/opt-out`. See docs/in-the-cluster.md.
 */
export class AdmissionGuardrails extends Chart {
  /**
   * The exemptions declared in code below `scope` (Exemptions.of(...).add, a construct's `exemptions` prop), as
   * in-cluster exemptions of the objects they can cover: each ApiObject below the exemption's scope that matches its
   * kind and name narrowing and that the control's policy judges. Call it once the app is built. A pointer
   * narrowing cannot be kept (a policy judges the whole object): the object is exempted from that control.
   */
  public static exemptionsOf(scope: IConstruct): AdmissionExemption[] {
    const found: AdmissionExemption[] = [];
    for (const exemption of Exemptions.below(scope)) {
      const kinds = judgedKinds(exemption.control);
      if (kinds.length === 0) continue;
      const holder = scope.node.root.node.findAll().find(c => c.node.path === exemption.scopePath);
      for (const object of (holder?.node.findAll() ?? []).filter((c): c is ApiObject => c instanceof ApiObject)) {
        if (!kinds.includes(object.kind)) continue;
        if (exemption.kind !== undefined && object.kind !== exemption.kind) continue;
        if (exemption.name !== undefined && object.name !== exemption.name) continue;
        found.push({
          control: exemption.control,
          kind: object.kind,
          apiGroup: groupOf(object.apiVersion),
          objectNamespace: object.metadata.namespace,
          name: object.name,
          reason: exemption.reason,
        });
      }
    }
    return unique(found);
  }

  /** The exempted findings of a guard report (e.g. `GuardReport.of(app)` after synthesis), as in-cluster exemptions. */
  public static exemptionsFromReport(report: GuardReport): AdmissionExemption[] {
    const found: AdmissionExemption[] = [];
    for (const evaluation of report.evaluations) {
      for (const finding of evaluation.findings) {
        if (finding.status !== FindingStatus.EXEMPT || !finding.exemption) continue;
        const control = Controls.byId(finding.controlId);
        if (!judgedKinds(control).includes(evaluation.kind)) continue;
        found.push({
          control,
          kind: evaluation.kind,
          apiGroup: groupOf(evaluation.apiVersion),
          objectNamespace: evaluation.objectNamespace,
          name: evaluation.name,
          reason: finding.exemption.reason,
        });
      }
    }
    return unique(found);
  }

  /** The ids of the controls enforced by a policy. */
  public readonly enforcedControlIds: string[];
  /** The controls of the profile not enforced in the cluster, with the reason. */
  public readonly notEnforcedControls: NotEnforcedControl[];

  constructor(scope: Construct, id: string, props: AdmissionGuardrailsProps = {}) {
    if (props.namespace !== undefined) {
      throw new Error(`[${scope.node.path ? scope.node.path + '/' : ''}${id}] AdmissionGuardrails: namespace ${JSON.stringify(props.namespace)} cannot be set: `
        + 'ValidatingAdmissionPolicies and their bindings are cluster-scoped; remove the namespace prop');
    }
    super(scope, id, props);
    const set = admissionPolicies({
      profile: props.profile,
      action: props.action,
      pssVersion: props.pssVersion,
      allowedRegistries: props.allowedRegistries,
      requireImageDigests: props.requireImageDigests,
      platform: props.platform ?? HardenedDefaults.of(this).platform,
      exemptions: props.exemptions,
      where: `[${this.node.path}] AdmissionGuardrails`,
    });
    for (const manifest of set.manifests) {
      const { apiVersion, kind, metadata, ...rest } = manifest;
      new ApiObject(this, `${kind}-${metadata.name}`, { apiVersion, kind, metadata, ...rest });
    }
    // Like every hardened construct, the chart guards its own objects.
    Guard.protect(this);
    this.enforcedControlIds = set.enforced;
    this.notEnforcedControls = set.notEnforced;
  }
}

/** The kinds the control's policy judges (none when it has no policy; image-registry's with any registry list). */
function judgedKinds(control: Control): string[] {
  const rule = control.admission({ pssVersion: PssVersion.V1_27, allowedRegistries: [] }).rule;
  return rule ? [...new Set(rule.resources.map(r => r.kind))] : [];
}

function groupOf(apiVersion: string): string {
  return apiVersion.includes('/') ? apiVersion.split('/')[0] : '';
}

function unique(exemptions: AdmissionExemption[]): AdmissionExemption[] {
  const seen = new Set<string>();
  return exemptions.filter(e => {
    const key = JSON.stringify([e.control.id, e.apiGroup, e.kind, e.objectNamespace, e.name]);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
