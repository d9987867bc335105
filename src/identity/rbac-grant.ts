import { ApiObject, ApiObjectMetadata } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { Permission, Verb } from './permission';
import { Controls } from '../controls/controls';
import { ControlContext, Severity } from '../controls/core/control';
import { HardenedDefaults } from '../defaults/hardened-defaults';
import { describeValue } from '../defaults/kubernetes-validation';
import { today } from '../guard/evaluate';
import { Exemptions } from '../guard/exemption';

// Internal (not exported from the package): rendering typed permissions into RBAC rules, and refusing dangerous
// grants with the catalog's own RBAC controls, so that the constructs and the guard can never disagree.

/** The API group of Role, ClusterRole and their bindings. */
export const RBAC_API_GROUP = 'rbac.authorization.k8s.io';

/** Rules rendered from permissions, each with the permissions (`permissions[2] (get on pods)`) it came from. */
export interface RenderedRules {
  readonly rules: kplus.k8s.PolicyRule[];
  readonly sources: string[][];
}

const VERB_ORDER: string[] = Object.values(Verb);

/**
 * One rule per permission and API group (resources sorted), identical rules merged, sorted by API group, then
 * resources, then resourceNames (rules without names first), then verbs: the same permissions always render the
 * same rules whatever their order.
 */
export function renderRules(permissions: Permission[], field: string): RenderedRules {
  const byKey = new Map<string, { rule: kplus.k8s.PolicyRule; sources: string[] }>();
  permissions.forEach((permission, index) => {
    const groups = [...new Set(permission.resources.map(r => r.group))];
    for (const group of groups) {
      const resources = [...new Set(permission.resources.filter(r => r.group === group).map(r => r.ruleEntry))].sort();
      const rule: kplus.k8s.PolicyRule = {
        apiGroups: [group],
        resources,
        verbs: [...permission.verbs],
        ...(permission.resourceNames ? { resourceNames: [...permission.resourceNames] } : {}),
      };
      const key = JSON.stringify([group, resources, rule.resourceNames ?? null, rule.verbs]);
      const found = byKey.get(key) ?? { rule, sources: [] };
      found.sources.push(`${field}[${index}] (${permission})`);
      byKey.set(key, found);
    }
  });
  const sorted = [...byKey.values()].sort((a, b) => compareRules(a.rule, b.rule));
  return { rules: sorted.map(r => r.rule), sources: sorted.map(r => r.sources) };
}

function compareRules(a: kplus.k8s.PolicyRule, b: kplus.k8s.PolicyRule): number {
  return compareLists(a.apiGroups ?? [], b.apiGroups ?? [])
    || compareLists(a.resources ?? [], b.resources ?? [])
    || (a.resourceNames ? 1 : 0) - (b.resourceNames ? 1 : 0)
    || compareLists(a.resourceNames ?? [], b.resourceNames ?? [])
    || compareLists(a.verbs.map(verbRank), b.verbs.map(verbRank));
}

function verbRank(verb: string): string {
  return String(VERB_ORDER.indexOf(verb)).padStart(3, '0');
}

function compareLists(a: string[], b: string[]): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    if (a[i] !== b[i]) return a[i] < b[i] ? -1 : 1;
  }
  return a.length - b.length;
}

/**
 * Checks a Role, ClusterRole or binding about to be emitted with every error-severity RBAC control of the catalog,
 * and throws one line per violation no exemption in force at the object covers: the construct path, what it came
 * from (`describe(pointer)`), the control and its finding, why it matters, how to fix it and how to exempt it (or,
 * when the exemption that covered it has expired, since when and what to do).
 * Warnings (rbac-create-pods, rbac-cluster-scope...) are left to the guard's report.
 */
export function refuseUnexemptedGrants(owner: { node: { path: string } }, object: ApiObject, describe: (pointer: string) => string): void {
  const manifest = object.toJson();
  const context: ControlContext = { pssVersion: HardenedDefaults.of(object).pssVersion, objects: [manifest] };
  const now = today();
  const exemptions = Exemptions.covering(object);
  const problems: string[] = [];
  for (const control of Controls.all()) {
    if (!control.id.startsWith('rbac-') || control.severity !== Severity.ERROR) continue;
    if (!control.appliesTo(manifest, context)) continue;
    for (const violation of control.check(manifest, context)) {
      const covering = exemptions.filter(e => e.covers(control.id, manifest, violation.pointer));
      if (covering.some(e => !e.isExpiredOn(now))) continue;
      const refused = `${describe(violation.pointer)} is refused by ${control.id}: ${violation.message}. `
        + `Why: ${control.rationale} Fix: ${violation.fix ?? control.remediation} `;
      const [expired] = covering;
      problems.push(refused + (expired
        ? `The exemption for ${control.id} attached at [${expired.scopePath}] expired on ${expired.expires} (reason: ${expired.reason}): `
          + 'remove the grant, or review it and renew the exemption with a later expires date.'
        : `To grant it anyway, give this construct an exemption with the reason, e.g. exemptions: [{ control: Controls.${memberOf(control.id)}, `
          + 'reason: \'...\' }], or attach one with Exemptions.of(scope).add() to a scope above it before creating it.'));
    }
  }
  if (problems.length > 0) {
    throw new Error(`[${owner.node.path}] ${problems.length} dangerous grant(s) refused:\n  ${problems.join('\n  ')}`);
  }
}

/** `rbac-secrets-read` -> `RBAC_SECRETS_READ`, the catalog member. */
function memberOf(id: string): string {
  return id.toUpperCase().replace(/-/g, '_');
}

/** What a violation's pointer designates: the permissions of `/rules/<i>`, the subject of `/subjects/<i>`, else the object. */
export function describeGrant(kind: string, sources: string[][], subjects: string[]): (pointer: string) => string {
  return (pointer: string) => {
    const rule = /^\/rules\/(\d+)/.exec(pointer);
    if (rule && sources[Number(rule[1])]) return sources[Number(rule[1])].join(' and ');
    const subject = /^\/subjects\/(\d+)/.exec(pointer);
    if (subject && subjects[Number(subject[1])]) return subjects[Number(subject[1])];
    return `${kind} ${pointer}`;
  };
}

/** A subject as it is named in messages: `User 'alice'`, `ServiceAccount 'shop/ci'`. */
export function describeSubject(subject: kplus.k8s.Subject): string {
  return `subject ${subject.kind} '${subject.namespace ? `${subject.namespace}/` : ''}${subject.name}'`;
}


/** True for a plain object (props, options, metadata): not null, not a list. */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The list given at `field`, or [] when it is left out; throws `[path] field: <value> is not a list; <fix>` for anything else. */
export function listOf<T>(path: string, field: string, value: T[] | undefined, fix: string): T[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) {
    throw new Error(`[${path}] ${field}: ${describeValue(value)} is not a list; ${fix}`);
  }
  return value;
}

/**
 * The names of existing ClusterRoles to bind in one namespace with RoleBindings, checked: names the API server
 * accepts, each once, and no `system:` ClusterRole (a Kubernetes component's, whose rules change with the cluster
 * version and are not known here).
 */
export function checkClusterRoleNames(path: string, field: string, value: string[] | undefined): string[] {
  const names = listOf(path, field, value, 'give a list of ClusterRole names, e.g. [\'view\'], or leave it out');
  names.forEach((name, index) => {
    const where = `[${path}] ${field}[${index}]`;
    if (typeof name !== 'string' || name.trim() === '' || name !== name.trim() || name === '.' || name === '..' || /[/%]/.test(name)) {
      throw new Error(`${where}: ${describeValue(name)} is not a ClusterRole name; give the metadata.name of an existing ClusterRole, e.g. 'view'`);
    }
    if (name.startsWith('system:')) {
      throw new Error(`${where}: '${name}' is a ClusterRole of a Kubernetes component, whose rules change with the cluster version and `
        + 'cannot be checked here; list what the subjects need as permissions instead');
    }
    if (names.indexOf(name) !== index) {
      throw new Error(`${where}: '${name}' is already listed at ${field}[${names.indexOf(name)}]; list each ClusterRole once`);
    }
  });
  return names;
}

/** Binds each ClusterRole to the subjects in `namespace` with its own RoleBinding, refusing dangerous ones as grants are. */
export function bindClusterRolesInNamespace(
  owner: Construct, field: string, names: string[], metadata: ApiObjectMetadata, subjects: kplus.k8s.Subject[],
): kplus.k8s.KubeRoleBinding[] {
  const described = subjects.map(describeSubject);
  return names.map((name, index) => {
    const binding = new kplus.k8s.KubeRoleBinding(owner, `RoleBinding-${name}`, {
      metadata,
      roleRef: { apiGroup: RBAC_API_GROUP, kind: 'ClusterRole', name },
      subjects,
    });
    refuseUnexemptedGrants(owner, binding, pointer => (pointer.startsWith('/roleRef')
      ? `${field}[${index}] (ClusterRole '${name}')`
      : describeGrant('RoleBinding', [], described)(pointer)));
    return binding;
  });
}
