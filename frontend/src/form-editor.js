/**
 * Entry of the motcua-form-editor bundle (window.MotcuaFormEditor): the form-js editor with
 *
 *  - a palette of what the server renders (forms/components.py), in our order, with the
 *    Vietnamese field types as their own entries (CCCD, phone, tax code, date of birth,
 *    administrative unit); each inserts the component shape forms/ already understands
 *    (a textfield or date with `properties["motcua:type"]`, a group of three text fields);
 *  - a "Vietnamese type" group in the properties panel (motcua:type, motcua:errorName);
 *  - a guided hide rule (field, comparison, value -> `conditional.hide` in the FEEL subset the
 *    server evaluates, forms/feel.py); form-js's own FEEL box stays for anything else;
 *  - Vietnamese labels (English when the page language is en).
 *
 * form-js 1.23 has no translate service (bpmn-io/form-js#77 is open): palette entry names
 * come from each field type's config, which we set; the rest of the editor's fixed English
 * (group titles, panel labels) is translated in the DOM of the palette and panel only, never
 * on the form canvas (the admin's own labels). Types we hide stay registered, so a schema
 * that holds one still opens (the server then names the problem at save).
 *
 *   const editor = await MotcuaFormEditor.create({ container, schema, lang: 'vi' });
 */

import { FormEditor } from '@bpmn-io/form-js-editor';
import { iconsByType } from '@bpmn-io/form-js-viewer';
import { h } from 'preact';
import { useState } from 'preact/hooks';

import { pageLanguage } from './i18n.js';
import { FORM_VI, translateTree } from './form-i18n.js';

export { FormEditor };

// What the palette offers, in order; anything else registered is hidden (not unregistered).
const OFFERED = [
  'textfield', 'textarea', 'number', 'datetime', 'filepicker',
  'motcua_cccd', 'motcua_phone', 'motcua_tax_code', 'motcua_date_of_birth', 'motcua_admin_unit',
  'checkbox', 'checklist', 'radio', 'select', 'taglist',
  'text', 'separator', 'spacer',
  'group', 'dynamiclist'
];

export const VN_TYPES = [
  { value: 'cccd', vi: 'Số định danh cá nhân (CCCD, 12 số)', en: 'Personal ID number (CCCD, 12 digits)' },
  { value: 'phone', vi: 'Số điện thoại di động', en: 'Mobile phone number' },
  { value: 'tax_code', vi: 'Mã số thuế', en: 'Tax code' },
  { value: 'date_dmy', vi: 'Ngày (dd/mm/yyyy)', en: 'Date (dd/mm/yyyy)' },
  { value: 'date_of_birth', vi: 'Ngày sinh (không sau hôm nay)', en: 'Date of birth (not after today)' }
];

// Presets: palette entries that insert a component the server understands.
const PRESETS = {
  motcua_cccd: {
    base: 'textfield', name: { vi: 'Số CCCD', en: 'Citizen ID (CCCD)' },
    label: { vi: 'Số định danh cá nhân', en: 'Personal ID number' }, key: 'so_dinh_danh',
    attrs: { properties: { 'motcua:type': 'cccd', 'motcua:autocomplete': 'off' }, validate: { required: true } }
  },
  motcua_phone: {
    base: 'textfield', name: { vi: 'Số điện thoại', en: 'Phone number' },
    label: { vi: 'Số điện thoại', en: 'Phone number' }, key: 'so_dien_thoai',
    attrs: { properties: { 'motcua:type': 'phone', 'motcua:autocomplete': 'tel' } }
  },
  motcua_tax_code: {
    base: 'textfield', name: { vi: 'Mã số thuế', en: 'Tax code' },
    label: { vi: 'Mã số thuế', en: 'Tax code' }, key: 'ma_so_thue',
    attrs: { properties: { 'motcua:type': 'tax_code' } }
  },
  motcua_date_of_birth: {
    base: 'datetime', name: { vi: 'Ngày sinh', en: 'Date of birth' },
    label: { vi: 'Ngày sinh', en: 'Date of birth' }, key: 'ngay_sinh',
    attrs: { subtype: 'date', properties: { 'motcua:type': 'date_of_birth', 'motcua:autocomplete': 'bday' } }
  },
  motcua_admin_unit: {
    base: 'group', name: { vi: 'Đơn vị hành chính', en: 'Administrative unit' },
    label: { vi: 'Địa chỉ', en: 'Address' }, path: 'dia_chi',
    children: [
      { key: 'tinh', label: { vi: 'Tỉnh, thành phố', en: 'Province or city' }, required: true },
      { key: 'xa', label: { vi: 'Xã, phường, đặc khu', en: 'Commune, ward or special zone' }, required: true },
      { key: 'chi_tiet', label: { vi: 'Số nhà, đường, thôn, tổ', en: 'House number, street, hamlet' } }
    ]
  }
};

const NAMES = {
  textfield: { vi: 'Ô nhập chữ', en: 'Text field' },
  textarea: { vi: 'Ô nhập đoạn văn', en: 'Text area' },
  number: { vi: 'Số', en: 'Number' },
  datetime: { vi: 'Ngày / giờ', en: 'Date time' },
  filepicker: { vi: 'Tệp đính kèm', en: 'File upload' },
  checkbox: { vi: 'Ô đánh dấu', en: 'Checkbox' },
  checklist: { vi: 'Nhóm ô đánh dấu', en: 'Checkbox group' },
  radio: { vi: 'Chọn một', en: 'Radio group' },
  select: { vi: 'Danh sách chọn', en: 'Select' },
  taglist: { vi: 'Chọn nhiều', en: 'Tag list' },
  text: { vi: 'Đoạn chữ', en: 'Text view' },
  separator: { vi: 'Đường kẻ', en: 'Separator' },
  spacer: { vi: 'Khoảng trống', en: 'Spacer' },
  group: { vi: 'Nhóm trường', en: 'Group' },
  dynamiclist: { vi: 'Danh sách lặp', en: 'Dynamic list' }
};

/** Rebuilds the form-js field registry's palette view: our order, presets, hidden types. */
class MotcuaPalette {
  constructor(formFields, eventBus, modeling, pathRegistry, config) {
    const lang = (config && config.lang) || 'vi';
    const registry = formFields._formFields;
    const original = { ...registry };
    Object.keys(original).forEach(type => { delete registry[type]; });

    const pendingGroups = new WeakMap();
    OFFERED.forEach(type => {
      const preset = PRESETS[type];
      if (preset) {
        const base = original[preset.base];
        if (base) {
          registry[type] = presetField(type, preset, base, lang, pendingGroups, pathRegistry);
        }
      } else if (original[type]) {
        registry[type] = renamed(original[type], NAMES[type] && NAMES[type][lang]);
      }
    });
    // Still known to the importer and renderer (an existing schema opens), but not offered.
    Object.keys(original).filter(type => !(type in registry)).forEach(type => {
      Object.defineProperty(registry, type, { value: original[type], enumerable: false, writable: true, configurable: true });
    });

    // The administrative unit is a group with three fields: add them right after the group,
    // inside the same command (one undo removes all four).
    eventBus.on('commandStack.formField.add.postExecute', event => {
      const group = event.context && event.context.formField;
      const children = group && pendingGroups.get(group);
      if (!children) {
        return;
      }
      pendingGroups.delete(group);
      children.forEach((child, index) => {
        modeling.addFormField({
          type: 'textfield', key: child.key, label: child.label[lang] || child.label.vi,
          ...(child.required ? { validate: { required: true } } : {}),
          _parent: group.id
        }, group, index);
      });
    });
  }
}

MotcuaPalette.$inject = ['formFields', 'eventBus', 'modeling', 'pathRegistry', 'config.motcua'];

function renamed(component, name) {
  if (!name) {
    return component;
  }
  const field = props => h(component, props);
  field.config = { ...component.config, name };
  return field;
}

function presetField(type, preset, base, lang, pendingGroups, pathRegistry) {
  const baseConfig = base.config;
  const field = props => h(base, props);
  field.config = {
    ...baseConfig,
    type,
    name: preset.name[lang] || preset.name.vi,
    group: 'basic-input',
    icon: baseConfig.icon || iconsByType(preset.base),
    create: (attrs = {}, isNewField) => {
      const { type: _ignored, ...rest } = attrs;
      const created = baseConfig.create({ ...rest }, isNewField);
      const result = {
        ...created,
        ...clone(preset.attrs || {}),
        type: preset.base,
        label: preset.label[lang] || preset.label.vi
      };
      if (preset.key && !rest.key) {
        result.key = uniqueKey(pathRegistry, preset.key);
      }
      if (preset.path) {
        result.path = uniqueKey(pathRegistry, preset.path);
        result.components = [];
        pendingGroups.set(result, preset.children);
      }
      return result;
    }
  };
  return field;
}

function uniqueKey(pathRegistry, base) {
  for (let n = 1; n < 100; n++) {
    const key = n === 1 ? base : `${base}_${n}`;
    if (!pathRegistry || pathRegistry.canClaimPath([key], { isClosed: true })) {
      return key;
    }
  }
  return `${base}_${Date.now()}`;
}

function clone(value) {
  return JSON.parse(JSON.stringify(value));
}


// Properties panel: the Vietnamese type of a field ////////////////////////////////////////

class MotcuaFieldProperties {
  constructor(propertiesPanel, formFieldRegistry, config) {
    this._lang = (config && config.lang) || 'vi';
    this._registry = formFieldRegistry;
    propertiesPanel.registerProvider(this, 400);
  }

  getGroups(field, editField) {
    return groups => {
      if (!field || field.type === 'default') {
        return groups;
      }
      const lang = this._lang;
      const others = this._registry.getAll().filter(f => f.key && f.id !== field.id && f.type !== 'default');
      const hide = {
        id: 'motcua-hide',
        label: lang === 'en' ? 'Hide when (guided)' : 'Ẩn trường khi',
        entries: [{ id: 'motcua-hide-rule', component: HideRuleEntry, field, editField, lang, others }]
      };
      const condition = groups.findIndex(g => g.id === 'condition');
      groups.splice(condition >= 0 ? condition : groups.length, 0, hide);
      if (!(field.type === 'textfield' || (field.type === 'datetime' && (field.subtype || 'date') === 'date'))) {
        return groups;
      }
      const group = {
        id: 'motcua-vn',
        label: lang === 'en' ? 'Vietnamese type' : 'Kiểu dữ liệu Việt Nam',
        entries: [
          { id: 'motcua-vn-type', component: VnTypeEntry, field, editField, lang },
          { id: 'motcua-vn-error-name', component: ErrorNameEntry, field, editField, lang }
        ]
      };
      const general = groups.findIndex(g => g.id === 'general');
      groups.splice(general + 1, 0, group);
      return groups;
    };
  }
}

MotcuaFieldProperties.$inject = ['propertiesPanel', 'formFieldRegistry', 'config.motcua'];

function setProperty(field, editField, name, value) {
  const properties = { ...(field.properties || {}) };
  if (value) {
    properties[name] = value;
  } else {
    delete properties[name];
  }
  editField(field, ['properties'], Object.keys(properties).length ? properties : undefined);
}

function VnTypeEntry({ field, editField, lang }) {
  const current = (field.properties || {})['motcua:type'] || '';
  const choices = VN_TYPES.filter(t => field.type === 'textfield' || t.value === 'date_of_birth');
  const id = `motcua-vn-type-${field.id}`;
  return h('div', { class: 'bio-properties-panel-entry', 'data-entry-id': 'motcua-vn-type' }, [
    h('label', { class: 'bio-properties-panel-label', for: id }, lang === 'en' ? 'Type' : 'Kiểu'),
    h('select', {
      id, class: 'bio-properties-panel-input', name: 'motcua-vn-type', value: current,
      onChange: event => setProperty(field, editField, 'motcua:type', event.target.value)
    }, [h('option', { value: '' }, lang === 'en' ? '(none: plain text)' : '(không: chữ thường)')]
      .concat(choices.map(t => h('option', { value: t.value, selected: t.value === current }, t[lang] || t.vi)))),
    h('div', { class: 'bio-properties-panel-description' }, lang === 'en'
      ? 'The server checks and normalises the value (forms/vn.py).'
      : 'Máy chủ kiểm tra và chuẩn hóa giá trị người dân nhập.')
  ]);
}

function ErrorNameEntry({ field, editField, lang }) {
  const current = (field.properties || {})['motcua:errorName'] || '';
  const id = `motcua-vn-error-name-${field.id}`;
  return h('div', { class: 'bio-properties-panel-entry', 'data-entry-id': 'motcua-vn-error-name' }, [
    h('label', { class: 'bio-properties-panel-label', for: id }, lang === 'en' ? 'Name in error messages' : 'Tên dùng trong thông báo lỗi'),
    h('input', {
      id, type: 'text', class: 'bio-properties-panel-input', name: 'motcua-vn-error-name', value: current,
      spellcheck: false,
      onChange: event => setProperty(field, editField, 'motcua:errorName', event.target.value.trim())
    }),
    h('div', { class: 'bio-properties-panel-description' }, lang === 'en'
      ? 'e.g. "date of birth"; empty: the label'
      : 'Ví dụ "ngày sinh"; để trống: dùng nhãn')
  ]);
}

const HIDE_OPS = [
  { value: '=', vi: 'bằng', en: 'equals' },
  { value: '!=', vi: 'khác', en: 'does not equal' },
  { value: '<', vi: 'nhỏ hơn', en: 'is less than', numeric: true },
  { value: '>', vi: 'lớn hơn', en: 'is greater than', numeric: true },
  { value: 'empty', vi: 'để trống', en: 'is empty', unary: true },
  { value: 'filled', vi: 'đã nhập', en: 'is filled in', unary: true }
];
const FEEL_PATH = '[A-Za-z_][A-Za-z0-9_]*(?:\\.[A-Za-z_][A-Za-z0-9_]*)*';

/** `=key op literal` -> {key, op, value}; null for anything else (left to the FEEL box). */
export function parseHide(text) {
  const m = (text || '').match(new RegExp(`^=(${FEEL_PATH}) (=|!=|<|>) (null|true|false|-?\\d+(?:\\.\\d+)?|"(?:[^"\\\\]|\\\\.)*")$`));
  if (!m) {
    return null;
  }
  if (m[3] === 'null') {
    return m[2] === '=' ? { key: m[1], op: 'empty', value: '' } : m[2] === '!=' ? { key: m[1], op: 'filled', value: '' } : null;
  }
  return { key: m[1], op: m[2], value: m[3].startsWith('"') ? JSON.parse(m[3]) : m[3] };
}

export function buildHide(spec, other) {
  if (!spec.key || !spec.op) {
    return '';
  }
  if (spec.op === 'empty' || spec.op === 'filled') {
    return `=${spec.key} ${spec.op === 'empty' ? '=' : '!='} null`;
  }
  const value = (spec.value || '').trim();
  if (!value) {
    return '';
  }
  const numeric = /^-?\d+(\.\d+)?$/.test(value);
  let literal = JSON.stringify(value);
  if (other && other.type === 'checkbox' && (value === 'true' || value === 'false')) {
    literal = value;
  } else if (other && other.type === 'number') {
    if (!numeric) {
      return '';
    }
    literal = value;
  } else if (HIDE_OPS.find(o => o.value === spec.op && o.numeric)) {
    return '';
  }
  return `=${spec.key} ${spec.op} ${literal}`;
}

function HideRuleEntry({ field, editField, lang, others }) {
  const current = (field.conditional && field.conditional.hide) || '';
  const parsed = parseHide(current);
  const [spec, setSpec] = useState(parsed || { key: '', op: '=', value: '' });
  const en = lang === 'en';
  if (current && !parsed) {
    return h('div', { class: 'bio-properties-panel-entry', 'data-entry-id': 'motcua-hide-rule' },
      h('div', { class: 'bio-properties-panel-description' }, en
        ? 'This rule is written in FEEL: edit it under "Condition".'
        : 'Quy tắc này viết bằng FEEL: sửa ở mục "Điều kiện ẩn".'));
  }
  const update = change => {
    const next = { ...spec, ...change };
    setSpec(next);
    const rule = buildHide(next, others.find(o => o.key === next.key));
    if (rule) {
      editField(field, ['conditional'], { hide: rule });
    } else if (!next.key && current) {
      editField(field, ['conditional'], undefined);
    }
  };
  const select = (name, label, value, options, onChange) => {
    const id = `motcua-hide-${name}-${field.id}`;
    return [
      h('label', { class: 'bio-properties-panel-label', for: id }, label),
      h('select', { id, name: `motcua-hide-${name}`, class: 'bio-properties-panel-input', value,
        onChange: event => onChange(event.target.value) },
      options.map(o => h('option', { value: o.value, selected: o.value === value }, o.label)))
    ];
  };
  const op = HIDE_OPS.find(o => o.value === spec.op) || {};
  const children = [
    ...select('field', en ? 'Field' : 'Trường', spec.key,
      [{ value: '', label: en ? '— never hide —' : '— Không ẩn —' }].concat(others.map(o => ({
        value: o.key, label: o.label && o.label !== o.key ? `${o.label} (${o.key})` : o.key
      }))), key => update({ key })),
    ...select('op', en ? 'Comparison' : 'Phép so sánh', spec.op,
      HIDE_OPS.map(o => ({ value: o.value, label: o[lang] || o.vi })), value => update({ op: value }))
  ];
  if (!op.unary) {
    const id = `motcua-hide-value-${field.id}`;
    children.push(
      h('label', { class: 'bio-properties-panel-label', for: id }, en ? 'Value' : 'Giá trị'),
      h('input', { id, name: 'motcua-hide-value', type: 'text', class: 'bio-properties-panel-input',
        value: spec.value, spellcheck: false, onChange: event => update({ value: event.target.value }) }));
  }
  children.push(h('div', { class: 'bio-properties-panel-description' },
    (en ? 'Rule written: ' : 'Quy tắc được tạo: ') + (current || '—')));
  return h('div', { class: 'bio-properties-panel-entry', 'data-entry-id': 'motcua-hide-rule' }, children);
}

const MotcuaModule = {
  __init__: ['motcuaPalette', 'motcuaFieldProperties'],
  motcuaPalette: ['type', MotcuaPalette],
  motcuaFieldProperties: ['type', MotcuaFieldProperties]
};

/**
 * @param {Object} options {container, schema, lang ('vi'|'en', default <html lang>), ...FormEditor options}
 * @return {Promise<FormEditor>}
 */
export async function create(options = {}) {
  const { container, schema, lang, additionalModules = [], ...rest } = options;
  const language = lang === 'en' || lang === 'vi' ? lang : pageLanguage();
  const editor = new FormEditor({
    ...rest,
    container,
    additionalModules: [MotcuaModule, ...additionalModules],
    motcua: { lang: language }
  });
  if (language !== 'en') {
    translateTree(container, FORM_VI);
  }
  await editor.importSchema(schema);
  return editor;
}
