import { Control } from '../controls/core/control';

// What an exemption's reason and expiry must be. A reviewer reads the reason in the YAML and the report: it must be
// prose about this weakening, not filler that happens to be long enough. No word list proves meaning, so the rule
// stacks cheap filters an attacker must all get past: length, words that look like words, no filler, no echo of the
// control, and several distinct words left over.

/** Characters a reason must have (trimmed). */
export const MIN_REASON_LENGTH = 20;
/** Distinct meaningful words a reason must have: not filler, not the control's own words, shaped like words. */
export const MIN_MEANINGFUL_WORDS = 4;
/** Days from today an exemption may run: at most a year, so every weakening is reviewed again at least yearly. */
export const MAX_EXPIRY_DAYS = 365;

/**
 * Words that carry no reason: placeholders, English glue words, metasyntactic names (foo, qux, corge...), filler
 * and chat (meh, yolo, dunno...), and the vocabulary of exempting itself ("exempt", "allow", "policy").
 */
const FILLER_WORDS = new Set([
  // placeholders
  'todo', 'tbd', 'tbc', 'fixme', 'xxx', 'na', 'none', 'null', 'nil', 'undefined', 'reason', 'because', 'temp', 'temporary',
  'placeholder', 'test', 'testing', 'wip', 'later', 'fix', 'needed', 'required', 'exempt', 'exempted', 'exemption', 'ignore',
  'ignored', 'pending', 'misc', 'various', 'stuff', 'thing', 'things', 'something', 'someone', 'somehow', 'etc',
  // lorem ipsum
  'lorem', 'ipsum', 'dolor', 'sit', 'amet', 'consectetur', 'adipiscing', 'elit', 'sed', 'do', 'eiusmod', 'tempor',
  'incididunt', 'ut', 'labore', 'et', 'dolore', 'magna', 'aliqua',
  // metasyntactic names
  'foo', 'bar', 'baz', 'qux', 'quux', 'quuz', 'corge', 'grault', 'garply', 'waldo', 'fred', 'plugh', 'xyzzy', 'thud',
  'foobar', 'spam', 'eggs', 'hoge', 'fuga', 'piyo', 'asdf', 'qwerty', 'abc', 'xyz', 'dummy', 'sample', 'example',
  // filler and chat
  'blah', 'bla', 'meh', 'nah', 'yolo', 'lol', 'lmao', 'rofl', 'idk', 'dunno', 'whatever', 'mkay', 'kay', 'ok', 'okay',
  'yes', 'yeah', 'yep', 'yup', 'no', 'nope', 'sure', 'fine', 'hmm', 'hm', 'um', 'umm', 'uh', 'ugh', 'duh', 'eh', 'oops',
  'whoops', 'ftw', 'wtf', 'tmp', 'trust', 'me', 'works', 'working', 'broken', 'good', 'bad', 'whatnot', 'anyway',
  'anyhow', 'basically', 'literally', 'really', 'very', 'totally', 'simply', 'obviously', 'whatevs', 'nvm', 'asap',
  // glue words
  'it', 'is', 'the', 'a', 'an', 'for', 'now', 'this', 'that', 'these', 'those', 'will', 'we', 'to', 'not', 'of', 'and',
  'or', 'in', 'on', 'be', 'should', 'must', 'has', 'have', 'had', 'so', 'just', 'please', 'as', 'at', 'by', 'with',
  'from', 'but', 'if', 'are', 'was', 'were', 'been', 'being', 'its', 'our', 'us', 'you', 'your', 'i', 'my', 'can',
  'could', 'would', 'does', 'did', 'there', 'here', 'then', 'than', 'some', 'any', 'all', 'also', 'get', 'got', 'too',
  'needs', 'need', 'want', 'wants',
  // the vocabulary of exempting
  'control', 'controls', 'check', 'checks', 'rule', 'rules', 'policy', 'security', 'allow', 'allowed', 'disable',
  'disabled', 'skip', 'skipped', 'bypass', 'override', 'waive', 'waived', 'guard', 'finding', 'hardened',
]);

/** Vowel-less abbreviations that do carry meaning in a Kubernetes reason. */
const ABBREVIATIONS = new Set(['tls', 'mtls', 'dns', 'ssh', 'tcp', 'udp', 'http', 'https', 'grpc', 'pvc', 'nfs', 'cni', 'csi', 'crd', 'jwt', 'k8s', 'pki', 'hsm', 'smb']);

/** Keyboard rows, forwards and backwards: a word along one of them was typed, not written. */
const KEYBOARD_ROWS = ['qwertyuiop', 'asdfghjkl', 'zxcvbnm', 'abcdefghijklmnopqrstuvwxyz'].flatMap(r => [r, [...r].reverse().join('')]);

/** The words of a text: lowercase runs of letters and digits (paths, hostnames and ids split at their separators). */
function wordsOf(text: string): string[] {
  return text.toLowerCase().split(/[^a-z0-9]+/).filter(w => w !== '');
}

/** True for a string of letters shaped like a written word, not a keyboard run, a letter run or a repetition. */
function looksLikeWord(word: string): boolean {
  if (ABBREVIATIONS.has(word)) return true;
  if (!/^[a-z]{2,}$/.test(word)) return false; // digits and one-letter words say nothing alone
  if (!/[aeiouy]/.test(word)) return false;
  if (/[^aeiouy]{6}/.test(word)) return false; // 'sdfghj': no English word has six consonants in a row
  if (/^(.+?)\1+$/.test(word)) return false; // 'asdfasdf', 'xxxxxx'
  // A whole word of three or more keys along a row ('asd', 'hjkl'), or five in a row inside a longer one.
  return !KEYBOARD_ROWS.some(row => (word.length >= 3 && row.includes(word))
    || [...Array(Math.max(0, word.length - 4)).keys()].some(i => row.includes(word.slice(i, i + 5))));
}

/** Why `reason` (trimmed) does not explain a weakening of `control`, or undefined when it may. */
export function reasonProblem(reason: string, control: Control): string | undefined {
  if (reason.length < MIN_REASON_LENGTH) {
    return `is ${reason.length} characters long`;
  }
  const normalize = (text: string) => wordsOf(text).join(' ');
  if (normalize(reason) === normalize(control.title) || normalize(reason) === normalize(control.id)) {
    return 'only repeats the control\'s title';
  }
  const words = wordsOf(reason);
  const controlWords = new Set([...wordsOf(control.id), ...wordsOf(control.title)]);
  const meaningful = new Set(words.filter(w => !FILLER_WORDS.has(w) && !controlWords.has(w) && looksLikeWord(w)));
  if (meaningful.size < MIN_MEANINGFUL_WORDS) {
    const restates = words.some(w => controlWords.has(w));
    const shown = meaningful.size === 0 ? '' : `: ${[...meaningful].join(', ')}`;
    return `is a placeholder${restates ? ' or only restates the control' : ''} (${meaningful.size} meaningful word`
      + `${meaningful.size === 1 ? '' : 's'}${shown}; at least ${MIN_MEANINGFUL_WORDS} needed that are not filler such as `
      + '\'todo\', \'blah\' or \'foo\', not keyboard runs, and not the control\'s own words)';
  }
  return undefined;
}

/** The day `days` after `date` (both `YYYY-MM-DD`, UTC). */
export function addDays(date: string, days: number): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

/** Why a well-formed `expires` is refused on `today`, or undefined: it may not run past the horizon. */
export function expiryProblem(expires: string, today: string): string | undefined {
  const latest = addDays(today, MAX_EXPIRY_DAYS);
  if (expires > latest) {
    return `is more than ${MAX_EXPIRY_DAYS} days after today (${today}); an exemption runs at most until ${latest}, so that it is `
      + `reviewed again at least yearly: set expires to ${latest} or earlier, and renew it after review`;
  }
  return undefined;
}
