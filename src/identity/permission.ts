import { RbacResource } from './rbac-resource';

/**
 * The verbs a permission grants: the Kubernetes API request verbs, plus the RBAC special verbs.
 * Rules list them in this order.
 */
export enum Verb {
  /** Read one object. */
  GET = 'get',
  /** Read every object of the resource (their full content, not just names). */
  LIST = 'list',
  /** Stream changes to objects of the resource. */
  WATCH = 'watch',
  /** Create objects. */
  CREATE = 'create',
  /** Replace objects. */
  UPDATE = 'update',
  /** Patch objects. */
  PATCH = 'patch',
  /** Delete one object. */
  DELETE = 'delete',
  /** Delete every object of the resource in one request. */
  DELETECOLLECTION = 'deletecollection',
  /** Special verb: bind roles one does not hold (refused by `rbac-escalation-verbs` unless exempted). */
  BIND = 'bind',
  /** Special verb: write roles with permissions one does not hold (refused by `rbac-escalation-verbs` unless exempted). */
  ESCALATE = 'escalate',
  /** Special verb: act as another user, group or service account (refused by `rbac-escalation-verbs` unless exempted). */
  IMPERSONATE = 'impersonate',
  /** Special verb: approve certificate signing requests for a signer (refused by `rbac-csr-approval` unless exempted). */
  APPROVE = 'approve',
  /** Special verb: sign certificate signing requests for a signer. */
  SIGN = 'sign',
  /** Special verb: use a policy object (e.g. an OpenShift SecurityContextConstraints). */
  USE = 'use',
  /** Every verb, present and future (refused by `rbac-wildcard` unless exempted). */
  ALL = '*',
}

const VERB_ORDER: string[] = Object.values(Verb);
const READ: Verb[] = [Verb.GET, Verb.LIST, Verb.WATCH];
const WRITE: Verb[] = [Verb.CREATE, Verb.UPDATE, Verb.PATCH, Verb.DELETE];
/** Verbs RBAC never restricts by resource name: the name is not known when the request is authorized. */
const UNNAMED_VERBS: Verb[] = [Verb.CREATE, Verb.DELETECOLLECTION];
const RESOURCE_NAME = /^[^/%]+$/;

/**
 * What one permission grants: verbs on resources, optionally only on named objects.
 *
 * `Permission.read()` grants get, list and watch; `Permission.readWrite()` adds create, update, patch and delete;
 * `Permission.allow()` grants exactly the verbs it is given. No helper grants deletecollection, `*` or any verb it
 * was not asked for. Dangerous grants (Secrets, exec, escalation verbs, wildcards...) are refused by the account
 * that renders them, through the catalog's RBAC controls, unless an exemption covers them.
 */
export class Permission {
  /**
   * Exactly these verbs on these resources.
   * @param verbs the verbs, at least one
   * @param resources the resources, at least one
   */
  public static allow(verbs: Verb[], ...resources: RbacResource[]): Permission {
    return new Permission('Permission.allow', verbs, resources, undefined);
  }

  /** get, list and watch on these resources. */
  public static read(...resources: RbacResource[]): Permission {
    return new Permission('Permission.read', READ, resources, undefined);
  }

  /** get, list, watch, create, update, patch and delete on these resources (never deletecollection or `*`). */
  public static readWrite(...resources: RbacResource[]): Permission {
    return new Permission('Permission.readWrite', [...READ, ...WRITE], resources, undefined);
  }

  /** The verbs granted, deduplicated, in `Verb` order. */
  public readonly verbs: Verb[];
  /** The resources they are granted on, deduplicated, in the order given. */
  public readonly resources: RbacResource[];
  /**
   * The only objects the grant applies to.
   * @default - every object of the resources
   */
  public readonly resourceNames?: string[];

  private constructor(where: string, verbs: Verb[], resources: RbacResource[], resourceNames: string[] | undefined) {
    if (!Array.isArray(verbs) || verbs.length === 0) {
      throw new Error(`${where}: no verbs; name at least one, e.g. [Verb.GET]`);
    }
    for (const verb of verbs) {
      if (!VERB_ORDER.includes(verb)) {
        throw new Error(`${where}: verb ${JSON.stringify(verb)} is not a Verb; use a member of Verb, e.g. Verb.GET`);
      }
    }
    if (!Array.isArray(resources) || resources.length === 0) {
      throw new Error(`${where}: no resources; name at least one, e.g. RbacResource.CONFIG_MAPS`);
    }
    resources.forEach((resource, index) => {
      if (!(resource instanceof RbacResource)) {
        throw new Error(`${where}: resources[${index}] is ${JSON.stringify(resource)}, not an RbacResource; use e.g. RbacResource.CONFIG_MAPS or RbacResource.custom(group, resource)`);
      }
    });
    this.verbs = VERB_ORDER.filter(v => verbs.includes(v as Verb)) as Verb[];
    const seen = new Set<string>();
    this.resources = resources.filter(r => {
      const key = `${r.group}\n${r.ruleEntry}`;
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    });
    this.resourceNames = resourceNames;
  }

  /**
   * The same grant, only on the named objects (the rule's `resourceNames`).
   *
   * RBAC cannot restrict create or deletecollection by name, so a permission with those verbs is refused here.
   * Clients that list or watch named objects must select them with a `metadata.name` field selector.
   * @param names object names, at least one
   */
  public withResourceNames(...names: string[]): Permission {
    const where = `Permission ${this}: withResourceNames`;
    if (this.resourceNames !== undefined) {
      throw new Error(`${where}: it already names ${JSON.stringify(this.resourceNames)}; give all names in one call`);
    }
    if (names.length === 0) {
      throw new Error(`${where}: no names; give at least one object name, or leave resourceNames out to grant every object`);
    }
    for (const name of names) {
      if (typeof name !== 'string' || !RESOURCE_NAME.test(name) || name === '.' || name === '..') {
        throw new Error(`${where}: ${JSON.stringify(name)} is not an object name; use the metadata.name of the object, e.g. 'app-config'`);
      }
    }
    const unnamed = this.verbs.filter(v => UNNAMED_VERBS.includes(v));
    if (unnamed.length > 0) {
      throw new Error(`${where}: RBAC cannot restrict ${unnamed.join(' or ')} by name (no name is known when such a request is authorized), `
        + 'so the rule would not grant them at all; grant them in a separate permission without resourceNames');
    }
    return new Permission('Permission.withResourceNames', this.verbs, this.resources, [...new Set(names)].sort());
  }

  /** `get, list, watch on configmaps ["app-config"]`, for messages. */
  public toString(): string {
    const names = this.resourceNames ? ` ${JSON.stringify(this.resourceNames)}` : '';
    return `${this.verbs.join(', ')} on ${this.resources.map(r => r.toString()).join(', ')}${names}`;
  }
}
