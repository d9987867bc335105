import { BUILT_IN_CLUSTER_ROLE_NAMES, builtInClusterRoleRules } from './built-in-cluster-roles';
import { celString, celStrings, NOT_CONTROL_PLANE, RBAC_RESOURCES } from './cel';
import { Control, ControlAdmission, ControlContext, ControlProps, Violation } from './control';
import { apiGroupOf, namespaceOf } from './manifest-index';
import { isObject, pointer } from './pod-template';

/** The API group of Role, ClusterRole, RoleBinding and ClusterRoleBinding. */
export const RBAC_GROUP = 'rbac.authorization.k8s.io';

/** A Role or ClusterRole of the RBAC API group. */
export function isRole(manifest: any): boolean {
  return isObject(manifest) && (manifest.kind === 'Role' || manifest.kind === 'ClusterRole') && apiGroupOf(manifest) === RBAC_GROUP;
}

/** A RoleBinding or ClusterRoleBinding of the RBAC API group. */
export function isBinding(manifest: any): boolean {
  return isObject(manifest) && (manifest.kind === 'RoleBinding' || manifest.kind === 'ClusterRoleBinding') && apiGroupOf(manifest) === RBAC_GROUP;
}

/** `Role 'namespace/name'` or `ClusterRole 'name'`, for messages. */
export function rbacObjectLabel(manifest: any): string {
  const name = typeof manifest?.metadata?.name === 'string' ? manifest.metadata.name : '';
  const namespace = namespaceOf(manifest);
  return `${manifest?.kind} '${namespace ? `${namespace}/` : ''}${name}'`;
}

/**
 * The string entries of a rule field with their indexes. A lone string (malformed: the API wants a list) is read
 * as a one-entry list, so that a typo never hides a grant.
 */
export function entriesOf(value: any): Array<{ index: number; value: string }> {
  if (typeof value === 'string') return [{ index: -1, value }];
  if (!Array.isArray(value)) return [];
  return value.flatMap((v, index) => (typeof v === 'string' ? [{ index, value: v }] : []));
}

/** One rule of a Role or ClusterRole, with its pointer. */
export interface RoleRule {
  readonly rule: any;
  readonly index: number;
  /** `/rules/<index>`. */
  readonly pointer: string;
}

/** The rules of a Role or ClusterRole (objects only; anything else grants nothing). */
export function rulesOf(manifest: any): RoleRule[] {
  const rules = manifest?.rules;
  if (!Array.isArray(rules)) return [];
  return rules.flatMap((rule: any, index: number) => (isObject(rule) ? [{ rule, index, pointer: pointer('/rules', index) }] : []));
}

/**
 * An API request shape to test rules against.
 *
 * `subresource: '*'` asks for any subresource of `resource` (e.g. every `userextras/<key>`); `verbs` omitted asks
 * for any verb at all (for subresources where every verb is dangerous: `pods/exec`, `nodes/proxy`).
 */
export interface RbacAccess {
  /** API group: '' for the core group. */
  readonly group: string;
  /** Resource (plural, lowercase), e.g. `pods`. */
  readonly resource: string;
  /** Subresource, e.g. `exec`; `*` for any. */
  readonly subresource?: string;
  /** Verbs asked for; omitted = any verb. */
  readonly verbs?: string[];
}

/** What a rule grants of an access. */
export interface RuleGrant {
  /** The verbs of the access the rule grants (all the rule's verbs when the access asks for any verb). */
  readonly verbs: string[];
  /** Index in `rule.resources` of the entry that matched (-1 when `resources` is a lone string). */
  readonly resourceIndex: number;
  /** That entry as written (`secrets`, `*`, `*\/exec`...). */
  readonly resourceEntry: string;
  /** The rule's `resourceNames`, when it has some: they narrow the grant to those objects but do not remove it. */
  readonly resourceNames?: string[];
}

function resourceEntryMatches(entry: string, access: RbacAccess): boolean {
  if (entry === '*') return true;
  const sub = access.subresource;
  if (sub === undefined || sub === '') return entry === access.resource;
  if (sub === '*') return entry.startsWith(`${access.resource}/`) || entry.startsWith('*/');
  // Kubernetes RBAC also honours `*/<subresource>`; it does not honour `<resource>/*`.
  return entry === `${access.resource}/${sub}` || entry === `*/${sub}`;
}

/**
 * What `rule` grants of `access`, following the kube-apiserver RBAC authorizer (rbac/v1 `RuleAllows`): a verb,
 * API group or resource entry `*` matches everything, `*\/<sub>` matches that subresource of every resource, names
 * are case-sensitive, and `<resource>/*` matches nothing. `resourceNames` is reported, not treated as making a
 * grant safe: access to one named Secret, pod or service account is still that access.
 * Non-resource rules (`nonResourceURLs`) never grant resource access.
 */
export function grantOf(rule: any, access: RbacAccess): RuleGrant | undefined {
  if (!isObject(rule)) return undefined;
  const groups = entriesOf(rule.apiGroups).map(e => e.value);
  if (!groups.includes('*') && !groups.includes(access.group)) return undefined;
  const resource = entriesOf(rule.resources).find(e => resourceEntryMatches(e.value, access));
  if (!resource) return undefined;
  const ruleVerbs = entriesOf(rule.verbs).map(e => e.value);
  let verbs: string[];
  if (access.verbs === undefined) {
    verbs = ruleVerbs.filter(v => v !== '');
  } else {
    verbs = ruleVerbs.includes('*') ? [...access.verbs] : access.verbs.filter(v => ruleVerbs.includes(v));
  }
  if (verbs.length === 0) return undefined;
  const resourceNames = entriesOf(rule.resourceNames).map(e => e.value);
  return {
    verbs,
    resourceIndex: resource.index,
    resourceEntry: resource.value,
    resourceNames: resourceNames.length > 0 ? resourceNames : undefined,
  };
}

/** Whether `rule` grants any of the verbs of `access` (any verb when it names none). */
export function grants(rule: any, access: RbacAccess): boolean {
  return grantOf(rule, access) !== undefined;
}

function describeAccess(access: RbacAccess): string {
  const resource = access.subresource ? `${access.resource}/${access.subresource}` : access.resource;
  return access.group === '' ? resource : `${resource} (${access.group})`;
}

/**
 * The rules of the built-in ClusterRole (`edit`, `admin`) a RoleBinding or ClusterRoleBinding binds, or undefined
 * when it binds anything else: those rules are not in the app, but they are known.
 */
export function builtInRulesBoundBy(manifest: any): any[] | undefined {
  if (!isBinding(manifest) || manifest.roleRef?.kind !== 'ClusterRole') return undefined;
  return builtInClusterRoleRules(manifest.roleRef?.name);
}

/** grantOf as CEL, over the rule `r`. */
function celGrant(r: string, access: RbacAccess): string {
  const group = `${r}.?apiGroups.orValue([]).exists(g, g == '*' || g == ${celString(access.group)})`;
  const sub = access.subresource;
  const entry = sub === undefined || sub === ''
    ? `e == ${celString(access.resource)}`
    : sub === '*'
      ? `e.startsWith(${celString(access.resource + '/')}) || e.startsWith('*/')`
      : `e == ${celString(`${access.resource}/${sub}`)} || e == ${celString(`*/${sub}`)}`;
  const resource = `${r}.?resources.orValue([]).exists(e, e == '*' || ${entry})`;
  const verbs = access.verbs === undefined
    ? `${r}.?verbs.orValue([]).exists(v, v != '')`
    : `${r}.?verbs.orValue([]).exists(v, v == '*' || v in ${celStrings(access.verbs)})`;
  return `${group} && ${resource} && ${verbs}`;
}

/**
 * Base of the controls that forbid some access in Role and ClusterRole rules: one violation per rule and matching
 * `resources` entry, pointing at that entry. A binding to a built-in ClusterRole whose rules grant the access (`edit`,
 * `admin`) is one violation too, pointing at its `roleRef`.
 */
export abstract class RoleAccessControl extends Control {
  protected constructor(props: ControlProps, private readonly accesses: RbacAccess[]) {
    super(props);
  }

  public appliesTo(manifest: any, _context: ControlContext): boolean {
    return isRole(manifest) || builtInRulesBoundBy(manifest) !== undefined;
  }

  /**
   * The CEL form: no rule of a Role or ClusterRole grants an access (grantOf's matching), and no binding binds a
   * built-in ClusterRole whose rules grant one.
   */
  public admission(_context: ControlContext): ControlAdmission {
    const ruleGrants = this.accesses.map(access => `(${celGrant('r', access)})`).join(' || ');
    const grantingBuiltIns = BUILT_IN_CLUSTER_ROLE_NAMES.filter(name =>
      builtInClusterRoleRules(name)!.some(rule => this.accesses.some(access => grantOf(rule, access) !== undefined)));
    const described = this.accesses.map(describeAccess).join(', ');
    return {
      rule: {
        resources: RBAC_RESOURCES,
        matchConditions: [NOT_CONTROL_PLANE],
        validations: [
          {
            expression: `!(object.kind in ['Role', 'ClusterRole']) || object.?rules.orValue([]).all(r, !(${ruleGrants}))`,
            message: `roles must not grant ${described}`,
          },
          ...(grantingBuiltIns.length > 0 ? [{
            expression: `!(object.kind in ['RoleBinding', 'ClusterRoleBinding']) || !(object.roleRef.kind == 'ClusterRole' && object.roleRef.name in ${celStrings(grantingBuiltIns)})`,
            message: `bindings must not bind the built-in ClusterRoles ${grantingBuiltIns.join(', ')}, which grant ${described}`,
          }] : []),
        ],
      },
    };
  }

  public check(manifest: any, _context: ControlContext): Violation[] {
    const builtIn = builtInRulesBoundBy(manifest);
    if (builtIn) return this.checkBuiltInBinding(manifest, builtIn);
    const violations: Violation[] = [];
    for (const { rule, index, pointer: rulePointer } of rulesOf(manifest)) {
      // Group what one resources entry grants, so `*` granting three subresources is one finding.
      const byEntry = new Map<number, { entry: string; granted: string[]; resourceNames?: string[] }>();
      for (const access of this.accesses) {
        const grant = grantOf(rule, access);
        if (!grant) continue;
        const found = byEntry.get(grant.resourceIndex) ?? { entry: grant.resourceEntry, granted: [], resourceNames: grant.resourceNames };
        found.granted.push(`${grant.verbs.join(', ')} on ${describeAccess(access)}`);
        byEntry.set(grant.resourceIndex, found);
      }
      for (const [resourceIndex, found] of byEntry) {
        const through = found.entry === '*' || found.entry.startsWith('*/') ? ` (through resources '${found.entry}')` : '';
        const narrowed = found.resourceNames
          ? `; resourceNames ${JSON.stringify(found.resourceNames)} narrows it to those objects but still grants it`
          : '';
        violations.push({
          pointer: resourceIndex < 0 ? pointer(rulePointer, 'resources') : pointer(rulePointer, 'resources', resourceIndex),
          message: `${rbacObjectLabel(manifest)} rules[${index}] grants ${found.granted.join('; ')}${through}${narrowed}`,
        });
      }
    }
    return violations;
  }

  private checkBuiltInBinding(manifest: any, rules: any[]): Violation[] {
    const granted: string[] = [];
    for (const access of this.accesses) {
      const verbs = [...new Set(rules.flatMap(rule => grantOf(rule, access)?.verbs ?? []))];
      if (verbs.length > 0) granted.push(`${verbs.join(', ')} on ${describeAccess(access)}`);
    }
    if (granted.length === 0) return [];
    const name = manifest.roleRef.name;
    return [{
      pointer: '/roleRef/name',
      message: `${rbacObjectLabel(manifest)} binds the built-in ClusterRole '${name}', which grants ${granted.join('; ')}`,
      fix: `Bind a Role that lists only the permissions the subjects need instead of the built-in '${name}' (the built-in `
        + '\'view\' reads without Secrets), or exempt the binding with the reason the subjects need all of it',
    }];
  }
}
