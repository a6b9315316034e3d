/**
 * The guided condition builder: (field, comparison, value) <-> expression text in the engine's
 * restricted expression language (engine/workflow/scripting.py: Python-like, no FEEL).
 *
 * `build` writes only the few shapes `parse` reads back, so a condition written by the builder
 * reopens in the builder; anything else stays free text. What the browser writes is a proposal:
 * the server checks every expression at "Kiểm tra" and at publish.
 */

export const OPERATORS = [
  { value: '==', label: 'equals' },
  { value: '!=', label: 'does not equal' },
  { value: '<', label: 'is less than', numeric: true },
  { value: '<=', label: 'is at most', numeric: true },
  { value: '>', label: 'is greater than', numeric: true },
  { value: '>=', label: 'is at least', numeric: true },
  { value: 'in', label: 'is one of' },
  { value: 'empty', label: 'is empty', unary: true },
  { value: 'not_empty', label: 'is not empty', unary: true },
  { value: 'true', label: 'is ticked', unary: true },
  { value: 'false', label: 'is not ticked', unary: true }
];

const EMPTY = '(None, "", [])';
const NAME = '[A-Za-z_][A-Za-z0-9_]*';
const REF = `(${NAME}(?:\\["${NAME}"\\])*)`;
const NUMBER = /^-?\d+(\.\d+)?$/;

/** Which operators fit a field type (form-js types; checkbox is a yes/no). */
export function operatorsFor(type) {
  if (type === 'checkbox') {
    return OPERATORS.filter(op => op.value === 'true' || op.value === 'false');
  }
  return OPERATORS.filter(op => op.value !== 'true' && op.value !== 'false'
    && (!op.numeric || type === 'number' || type === 'datetime'));
}

/** `applicant.name` -> `applicant["name"]` (task data is nested for dotted keys). */
export function reference(key) {
  const [head, ...rest] = key.split('.');
  return head + rest.map(part => `["${part}"]`).join('');
}

function keyOf(ref) {
  return ref.replace(/\["([^"]+)"\]/g, '.$1');
}

/** One literal: numbers stay numbers for number fields, option values keep their JSON type. */
export function literal(raw, field) {
  if (typeof raw !== 'string') {
    return JSON.stringify(raw);
  }
  const text = raw.trim();
  if (field && field.type === 'number' && NUMBER.test(text)) {
    return text;
  }
  const option = field && (field.options || []).find(o => String(o.value) === text);
  if (option) {
    return JSON.stringify(option.value);
  }
  return JSON.stringify(text); // a JSON string is a valid Python string literal
}

/**
 * @param {{key: string, op: string, value: string}} spec
 * @param {Object} [field] {key, type, options}
 * @return {string} the expression, or '' when the spec is incomplete
 */
export function build(spec, field) {
  const { key, op } = spec;
  const value = spec.value == null ? '' : String(spec.value);
  if (!key || !op) {
    return '';
  }
  const ref = reference(key);
  switch (op) {
  case 'empty': return `${ref} in ${EMPTY}`;
  case 'not_empty': return `${ref} not in ${EMPTY}`;
  case 'true': return `${ref} == True`;
  case 'false': return `${ref} != True`;
  case 'in': {
    const items = value.split(';').map(v => v.trim()).filter(Boolean);
    if (!items.length) {
      return '';
    }
    return `${ref} in (${items.map(item => literal(item, field)).join(', ')}${items.length === 1 ? ',' : ''})`;
  }
  default:
    if (value.trim() === '') {
      return '';
    }
    if (OPERATORS.find(o => o.value === op && o.numeric) && !NUMBER.test(value.trim())
        && !(field && field.type === 'datetime')) {
      return '';
    }
    return `${ref} ${op} ${literal(value, field)}`;
  }
}

function unliteral(text) {
  const trimmed = text.trim();
  if (NUMBER.test(trimmed)) {
    return trimmed;
  }
  if (/^"(?:[^"\\]|\\.)*"$/.test(trimmed)) {
    try {
      return JSON.parse(trimmed);
    } catch (e) {
      return null;
    }
  }
  return null;
}

function splitItems(inner) {
  const items = [];
  const re = /\s*("(?:[^"\\]|\\.)*"|-?\d+(?:\.\d+)?)\s*(,|$)/y;
  let match;
  while (re.lastIndex < inner.length && (match = re.exec(inner))) {
    items.push(unliteral(match[1]));
    if (!match[2]) {
      break;
    }
  }
  return re.lastIndex >= inner.length || inner.slice(re.lastIndex).trim() === '' ? items : null;
}

/**
 * The builder's reading of an expression, or null when it is not one of the shapes it writes.
 * @return {{key: string, op: string, value: string}|null}
 */
export function parse(text) {
  const source = (text || '').trim();
  let m = source.match(new RegExp(`^${REF} (not in|in) \\(None, "", \\[\\]\\)$`));
  if (m) {
    return { key: keyOf(m[1]), op: m[2] === 'in' ? 'empty' : 'not_empty', value: '' };
  }
  m = source.match(new RegExp(`^${REF} (==|!=) True$`));
  if (m) {
    return { key: keyOf(m[1]), op: m[2] === '==' ? 'true' : 'false', value: '' };
  }
  m = source.match(new RegExp(`^${REF} in \\((.*)\\)$`));
  if (m) {
    const items = splitItems(m[2].replace(/,\s*$/, ''));
    if (items && items.length && items.every(item => item !== null && !String(item).includes(';'))) {
      return { key: keyOf(m[1]), op: 'in', value: items.join('; ') };
    }
    return null;
  }
  m = source.match(new RegExp(`^${REF} (==|!=|<=|>=|<|>) (.+)$`));
  if (m) {
    const value = unliteral(m[3]);
    return value === null ? null : { key: keyOf(m[1]), op: m[2], value: String(value) };
  }
  return null;
}
