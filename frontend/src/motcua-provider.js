/**
 * Properties-panel provider for the Motcua BPMN extension (namespace
 * https://motcua.vn/schema/bpmn/1.0, descriptor bpmn/motcua.moddle.json).
 *
 * It adds groups beside the stock BPMN groups (general, documentation, ...):
 *
 *   bpmn:Lane                    "Vai trò / Role"             <motcua:role code>
 *   bpmn:StartEvent, UserTask    "Biểu mẫu / Form"            <motcua:form ref>
 *   bpmn:UserTask                "Thời hạn bước / Step budget" <motcua:budget value unit>
 *   bpmn:UserTask                "Vòng đời hồ sơ / Lifecycle"  <motcua:lifecycle command when reasons>*
 *   conditional bpmn:SequenceFlow "Điều kiện / Condition"      <bpmn:conditionExpression> body
 *     (guided builder: field, comparison, value -> expression; or free text)
 *
 * Role, form and field choices come from the `motcuaCatalogue` service (modeler option
 * `motcua: {roles, forms, fields}`, else `window.MOTCUA_ROLES` / `MOTCUA_FORMS` / `MOTCUA_FIELDS`);
 * with an empty catalogue the fields fall back to free text. Labels go through `translate`
 * (src/i18n.js). Every change goes through the
 * command stack, so undo/redo work and `saveXML()` writes the extension elements back.
 */

import { h } from '@bpmn-io/properties-panel/preact';
import { useEffect, useState } from '@bpmn-io/properties-panel/preact/hooks';
import {
  Group,
  ListGroup,
  SelectEntry,
  TextFieldEntry,
  TextAreaEntry,
  isSelectEntryEdited,
  isTextFieldEntryEdited
} from '@bpmn-io/properties-panel';
import { useService } from 'bpmn-js-properties-panel';
import { getBusinessObject, is, isAny } from 'bpmn-js/lib/util/ModelUtil';

import * as conditions from './condition-builder.js';

const LOW_PRIORITY = 500;

// Same lexical rules as bpmn/motcua.xsd (tRoleCode, tFormRef, tBudgetValue, tFieldKey).
const ROLE_CODE = /^[a-z][a-z0-9_]*$/;
const FORM_REF = /^[a-z][a-z0-9_-]*$/;
const DECIMAL = /^\+?(\d+(\.\d*)?|\.\d+)$/;
const FIELD_KEY = /^[A-Za-z][A-Za-z0-9_]*$/;

// Labels are English templates for the `translate` service (src/i18n.js has the Vietnamese).
const BUDGET_UNITS = [
  { value: 'working_days', label: 'working days' },
  { value: 'working_hours', label: 'working hours' }
];

const LIFECYCLE_COMMANDS = [
  { value: 'accept', label: 'accept' },
  { value: 'refuse', label: 'refuse' },
  { value: 'finish', label: 'finish' },
  { value: 'return_result', label: 'return result' },
  { value: 'request_financial_obligation', label: 'request financial obligation' },
  { value: 'fulfil_financial_obligation', label: 'fulfil financial obligation' }
];

// Flows leaving these may carry a condition (same list as the upstream Camunda provider).
const CONDITIONAL_SOURCES = ['bpmn:Activity', 'bpmn:ExclusiveGateway', 'bpmn:InclusiveGateway'];


// Catalogue of roles and forms ////////////////////////////////////////////////

/**
 * Role and form choices shown in the panel.
 *
 * `setRoles` / `setForms` let a page refresh the lists after the modeler was created.
 */
export class MotcuaCatalogue {
  constructor(config, eventBus) {
    this._roles = config && config.roles;
    this._forms = config && config.forms;
    this._fields = config && config.fields;
    this._eventBus = eventBus;
  }

  /**
   * Fields of the model's forms, for the condition builder: {key, label, type, form, options}.
   * The same key in several forms is listed once (the data of a dossier is one namespace).
   */
  getFields() {
    const fields = this._fields || globalList('MOTCUA_FIELDS');
    const seen = new Set();
    return fields.filter(field => field && field.key && !seen.has(field.key) && seen.add(field.key));
  }

  setFields(fields) {
    this._fields = fields;
    this._eventBus.fire('propertiesPanel.providersChanged');
  }

  /** @return {Array<{code: string, name: string}>} */
  getRoles() {
    const roles = this._roles || globalList('MOTCUA_ROLES');
    return roles.map(role => typeof role === 'string'
      ? { code: role, name: role }
      : { code: role.code, name: role.name || role.code });
  }

  /** @return {Array<{ref: string, name: string}>} */
  getForms() {
    const forms = this._forms || globalList('MOTCUA_FORMS');
    return forms.map(form => {
      if (typeof form === 'string') {
        return { ref: form, name: form };
      }
      const ref = form.ref || form.id;
      return { ref, name: form.name || form.title || ref };
    });
  }

  setRoles(roles) {
    this._roles = roles;
    this._eventBus.fire('propertiesPanel.providersChanged');
  }

  setForms(forms) {
    this._forms = forms;
    this._eventBus.fire('propertiesPanel.providersChanged');
  }
}

MotcuaCatalogue.$inject = ['config.motcua', 'eventBus'];

function globalList(name) {
  const value = typeof window !== 'undefined' ? window[name] : undefined;
  return Array.isArray(value) ? value : [];
}


// Provider ////////////////////////////////////////////////////////////////////

export class MotcuaPropertiesProvider {
  constructor(propertiesPanel, injector) {
    propertiesPanel.registerProvider(LOW_PRIORITY, this);
    this._injector = injector;
    messages = injector.get('translate');
  }

  getGroups(element) {
    return groups => {
      const translate = this._injector.get('translate');
      const ours = [
        roleGroup(element, translate),
        formGroup(element, translate),
        budgetGroup(element, translate),
        lifecycleGroup(element, this._injector, translate),
        conditionGroup(element, translate)
      ].filter(Boolean);

      // Put our groups right after "General" (name, id), before documentation etc.
      const general = groups.findIndex(group => group.id === 'general');
      groups.splice(general + 1, 0, ...ours);
      return groups;
    };
  }
}

MotcuaPropertiesProvider.$inject = ['propertiesPanel', 'injector'];

export default {
  __init__: ['motcuaPropertiesProvider'],
  motcuaCatalogue: ['type', MotcuaCatalogue],
  motcuaPropertiesProvider: ['type', MotcuaPropertiesProvider]
};


// Groups //////////////////////////////////////////////////////////////////////

function roleGroup(element, translate) {
  if (!is(element, 'bpmn:Lane')) {
    return null;
  }
  return {
    id: 'motcua-role',
    label: translate('Role'),
    component: Group,
    entries: [
      { id: 'motcua-role-code', component: RoleCodeEntry, isEdited: isSelectEntryEdited }
    ]
  };
}

function formGroup(element, translate) {
  if (!isAny(element, ['bpmn:StartEvent', 'bpmn:UserTask'])) {
    return null;
  }
  return {
    id: 'motcua-form',
    label: translate('Form'),
    component: Group,
    entries: [
      { id: 'motcua-form-ref', component: FormRefEntry, isEdited: isSelectEntryEdited }
    ]
  };
}

function budgetGroup(element, translate) {
  if (!is(element, 'bpmn:UserTask')) {
    return null;
  }
  return {
    id: 'motcua-budget',
    label: translate('Step budget'),
    component: Group,
    entries: [
      { id: 'motcua-budget-value', component: BudgetValueEntry, isEdited: isTextFieldEntryEdited },
      { id: 'motcua-budget-unit', component: BudgetUnitEntry, isEdited: isSelectEntryEdited }
    ]
  };
}

function conditionGroup(element, translate) {
  if (!is(element, 'bpmn:SequenceFlow') || !element.source || !isAny(element.source, CONDITIONAL_SOURCES)) {
    return null;
  }
  return {
    id: 'motcua-condition',
    label: translate('Condition'),
    component: Group,
    entries: [
      { id: 'motcua-condition-expression', component: ConditionEntry, isEdited: isConditionEdited }
    ]
  };
}

function lifecycleGroup(element, injector, translate) {
  if (!is(element, 'bpmn:UserTask')) {
    return null;
  }
  const bpmnFactory = injector.get('bpmnFactory');
  const commandStack = injector.get('commandStack');
  const businessObject = getBusinessObject(element);

  const items = getExtensions(businessObject, 'motcua:Lifecycle').map((lifecycle, index) => {
    const id = `${element.id}-motcua-lifecycle-${index}`;
    return {
      id,
      label: lifecycle.get('command')
        ? translate(commandLabel(lifecycle.get('command')))
        : translate('(not set)'),
      entries: [
        { id: `${id}-command`, component: LifecycleCommandEntry, lifecycle, isEdited: isSelectEntryEdited },
        { id: `${id}-when`, component: LifecycleWhenEntry, lifecycle, isEdited: isTextFieldEntryEdited },
        { id: `${id}-reasons`, component: LifecycleReasonsEntry, lifecycle, isEdited: isTextFieldEntryEdited }
      ],
      autoFocusEntry: `${id}-command`,
      remove: event => {
        event.stopPropagation();
        commandStack.execute('properties-panel.multi-command-executor',
          removeExtensionCommands(element, businessObject, [lifecycle]));
      }
    };
  });

  return {
    id: 'motcua-lifecycle',
    label: translate('Lifecycle'),
    component: ListGroup,
    items,
    add: event => {
      event.stopPropagation();
      const commands = [];
      const extensionElements = ensureExtensionElements(element, businessObject, bpmnFactory, commands);
      const lifecycle = bpmnFactory.create('motcua:Lifecycle', {});
      lifecycle.$parent = extensionElements;
      commands.push(appendValueCommand(element, extensionElements, lifecycle));
      commandStack.execute('properties-panel.multi-command-executor', commands);
    }
  };
}


// Entries /////////////////////////////////////////////////////////////////////

function RoleCodeEntry({ element, id }) {
  const catalogue = useService('motcuaCatalogue');
  const debounce = useService('debounceInput');
  const translate = useService('translate');
  const singleton = useSingleton(element, 'motcua:Role');
  const roles = catalogue.getRoles();
  const getValue = () => singleton.get('code') || '';
  const setValue = (value, error) => {
    if (!error) {
      singleton.set({ code: value || undefined });
    }
  };
  if (!roles.length) {
    return h(TextFieldEntry, {
      element, id, getValue, setValue,
      validate: validateRoleCode,
      label: translate('Role code'),
      description: translate('e.g. one_stop, specialist, leader'),
      debounce
    });
  }
  const getOptions = () => withCurrent(
    [{ value: '', label: translate('— choose a role —') }]
      .concat(roles.map(role => ({ value: role.code, label: `${role.name} (${role.code})` }))),
    getValue(), translate
  );
  return h(SelectEntry, {
    element, id, getValue, setValue, getOptions,
    label: translate('Role')
  });
}

function FormRefEntry({ element, id }) {
  const catalogue = useService('motcuaCatalogue');
  const debounce = useService('debounceInput');
  const translate = useService('translate');
  const singleton = useSingleton(element, 'motcua:Form');
  const forms = catalogue.getForms();
  const getValue = () => singleton.get('ref') || '';
  const setValue = (value, error) => {
    if (!error) {
      singleton.set({ ref: value || undefined });
    }
  };
  if (!forms.length) {
    return h(TextFieldEntry, {
      element, id, getValue, setValue,
      validate: validateFormRef,
      label: translate('Form ref'),
      description: 'forms/<ref>.form.json',
      debounce
    });
  }
  const getOptions = () => withCurrent(
    [{ value: '', label: translate('— no form —') }]
      .concat(forms.map(form => ({
        value: form.ref,
        label: form.name === form.ref ? form.ref : `${form.name} (${form.ref})`
      }))),
    getValue(), translate
  );
  return h(SelectEntry, {
    element, id, getValue, setValue, getOptions,
    label: translate('Form')
  });
}

function BudgetValueEntry({ element, id }) {
  const translate = useService('translate');
  const budget = useSingleton(element, 'motcua:Budget');
  const getValue = () => budget.get('value') || '';
  const setValue = (value, error) => {
    if (error) {
      return;
    }
    if (!value) {
      budget.remove(); // no value means "no budget": drop the whole element, unit included
    } else {
      budget.set({ value: value.trim(), unit: budget.get('unit') || 'working_days' });
    }
  };
  return h(TextFieldEntry, {
    element, id, getValue, setValue,
    validate: validateBudgetValue,
    label: translate('Budget'),
    description: translate('Leave empty for no step budget'),
    debounce: useService('debounceInput')
  });
}

function BudgetUnitEntry({ element, id }) {
  const translate = useService('translate');
  const budget = useSingleton(element, 'motcua:Budget');
  return h(SelectEntry, {
    element, id,
    label: translate('Unit'),
    // Without a budget value there is nothing to qualify: a unit alone would write an
    // invalid <motcua:budget unit="…"/>. The value entry creates the element.
    disabled: !budget.exists(),
    getValue: () => budget.get('unit') || 'working_days',
    setValue: value => budget.set({ unit: value }),
    getOptions: () => withCurrent(translated(BUDGET_UNITS, translate), budget.get('unit'), translate)
  });
}

/**
 * Condition of a sequence flow: a guided builder (field, comparison, value) that writes the
 * restricted expression (src/condition-builder.js), or free text. An expression the builder
 * cannot read back opens in free-text mode.
 */
function ConditionEntry({ element, id }) {
  const commandStack = useService('commandStack');
  const bpmnFactory = useService('bpmnFactory');
  const debounce = useService('debounceInput');
  const translate = useService('translate');
  const catalogue = useService('motcuaCatalogue');
  const businessObject = getBusinessObject(element);
  const source = element.source;
  const isDefault = source.businessObject.get('default') === businessObject;
  const fields = catalogue.getFields();

  const getValue = () => {
    const condition = businessObject.get('conditionExpression');
    return (condition && condition.get('body')) || '';
  };
  const current = getValue();
  const parsed = conditions.parse(current);
  const [mode, setMode] = useState(current && !parsed ? 'free' : (fields.length ? 'guided' : 'free'));
  const [spec, setSpec] = useState(parsed || { key: '', op: '==', value: '' });
  // Another flow selected, or an undo: start again from what the model holds.
  useEffect(() => {
    const fresh = conditions.parse(getValue());
    setSpec(fresh || { key: '', op: '==', value: '' });
    if (getValue() && !fresh) {
      setMode('free');
    }
  }, [element, current]);

  const setValue = value => {
    if ((value || '') === getValue()) {
      return;
    }
    const commands = [];
    if (value && isDefault) {
      // A flow with a condition cannot stay the gateway's default flow.
      commands.push({
        cmd: 'element.updateProperties',
        context: { element: source, properties: { default: undefined } }
      });
    }
    let expression;
    if (value) {
      expression = bpmnFactory.create('bpmn:FormalExpression', { body: value });
      expression.$parent = businessObject;
    }
    commands.push({
      cmd: 'element.updateProperties',
      context: { element, properties: { conditionExpression: expression } }
    });
    commandStack.execute('properties-panel.multi-command-executor', commands);
  };

  const modeEntry = h(SelectEntry, {
    element, id: `${id}-mode`,
    label: translate('Write with'),
    getValue: () => mode,
    setValue: value => setMode(value),
    getOptions: () => [
      { value: 'guided', label: translate('Guided (field, comparison, value)') },
      { value: 'free', label: translate('Free text') }
    ]
  });

  if (mode === 'free') {
    return h('div', { class: 'motcua-condition', 'data-mode': 'free' }, [
      modeEntry,
      h(TextAreaEntry, {
        element, id, getValue, setValue, debounce,
        label: translate('Condition expression'),
        description: isDefault
          ? translate('Default flow; a condition removes the default')
          : translate('e.g. intake_decision == "refuse"'),
        monospace: true,
        rows: 2,
        autoResize: true
      })
    ]);
  }

  const field = fields.find(f => f.key === spec.key);
  const operators = conditions.operatorsFor(field ? field.type : '');
  const update = change => {
    const next = { ...spec, ...change };
    const fieldNow = fields.find(f => f.key === next.key);
    const allowed = conditions.operatorsFor(fieldNow ? fieldNow.type : '');
    if (!allowed.some(op => op.value === next.op)) {
      next.op = allowed[0].value;
    }
    setSpec(next);
    const expression = conditions.build(next, fieldNow);
    if (expression) {
      setValue(expression);
    }
  };
  const operator = conditions.OPERATORS.find(op => op.value === spec.op) || {};
  const written = conditions.build(spec, field);
  const entries = [
    modeEntry,
    h(SelectEntry, {
      element, id: `${id}-field`,
      label: translate('Field'),
      getValue: () => spec.key,
      setValue: value => update({ key: value }),
      getOptions: () => {
        const options = [{ value: '', label: translate('— choose a field —') }].concat(fields.map(f => ({
          value: f.key,
          label: f.label && f.label !== f.key ? `${f.label} (${f.key})` : f.key
        })));
        return withCurrent(options, spec.key, translate);
      }
    }),
    h(SelectEntry, {
      element, id: `${id}-op`,
      label: translate('Comparison'),
      getValue: () => spec.op,
      setValue: value => update({ op: value }),
      getOptions: () => translated(operators, translate)
    })
  ];
  if (!operator.unary) {
    const options = field && field.options && field.options.length && spec.op !== 'in' ? field.options : null;
    entries.push(options
      ? h(SelectEntry, {
        element, id: `${id}-value`,
        label: translate('Value'),
        getValue: () => spec.value,
        setValue: value => update({ value }),
        getOptions: () => withCurrent([{ value: '', label: translate('— choose —') }].concat(options.map(o => ({
          value: String(o.value), label: o.label && o.label !== String(o.value) ? `${o.label} (${o.value})` : String(o.value)
        }))), spec.value, translate)
      })
      : h(TextFieldEntry, {
        element, id: `${id}-value`,
        label: translate('Value'),
        description: spec.op === 'in' ? translate('Several values: separate them with ";"') : undefined,
        getValue: () => spec.value,
        setValue: value => update({ value: value || '' }),
        validate: operator.numeric && !(field && field.type === 'datetime') ? validateNumber : undefined,
        debounce
      }));
  }
  entries.push(h('div', { class: 'bio-properties-panel-entry motcua-condition-written' }, [
    h('div', { class: 'bio-properties-panel-label' }, translate('Expression written')),
    h('code', { class: 'motcua-condition-text', 'data-written': getValue() }, written || getValue() || '—'),
    h('div', { class: 'bio-properties-panel-description' },
      isDefault ? translate('Default flow; a condition removes the default') : translate('The server checks it at "Check".'))
  ]));
  return h('div', { class: 'motcua-condition', 'data-mode': 'guided' }, entries);
}

function isConditionEdited(node) {
  if (!node || !node.querySelector) {
    return false;
  }
  const area = node.querySelector('textarea');
  const written = node.querySelector('.motcua-condition-text');
  return !!((area && area.value) || (written && written.dataset.written));
}

function LifecycleCommandEntry({ element, id, lifecycle }) {
  const commandStack = useService('commandStack');
  const translate = useService('translate');
  return h(SelectEntry, {
    element, id,
    label: translate('Command'),
    getValue: () => lifecycle.get('command') || '',
    setValue: value => updateModdle(commandStack, element, lifecycle, { command: value || undefined }),
    getOptions: () => withCurrent(
      [{ value: '', label: translate('— choose —') }].concat(translated(LIFECYCLE_COMMANDS, translate)),
      lifecycle.get('command'), translate
    )
  });
}

function LifecycleWhenEntry({ element, id, lifecycle }) {
  const commandStack = useService('commandStack');
  const translate = useService('translate');
  return h(TextFieldEntry, {
    element, id,
    label: translate('When'),
    description: translate('Expression over the task data; empty = always'),
    getValue: () => lifecycle.get('when') || '',
    setValue: value => updateModdle(commandStack, element, lifecycle, { when: value || undefined }),
    debounce: useService('debounceInput')
  });
}

function LifecycleReasonsEntry({ element, id, lifecycle }) {
  const commandStack = useService('commandStack');
  const translate = useService('translate');
  return h(TextFieldEntry, {
    element, id,
    label: translate('Reasons field'),
    description: translate('Form field key holding the refusal reasons'),
    getValue: () => lifecycle.get('reasons') || '',
    setValue: (value, error) => {
      if (!error) {
        updateModdle(commandStack, element, lifecycle, { reasons: value || undefined });
      }
    },
    validate: validateFieldKey,
    debounce: useService('debounceInput')
  });
}

function commandLabel(command) {
  const found = LIFECYCLE_COMMANDS.find(c => c.value === command);
  return found ? found.label : command;
}

function translated(options, translate) {
  return options.map(option => ({ value: option.value, label: translate(option.label) }));
}


// Validators ////////////////////////////////////////////////////////////////////
//
// Module-level on purpose: the panel entries re-run `validate` when the function identity
// changes, so an inline closure would clear the error shown for a rejected input. They speak
// the modeler's language through `messages`, set once by the provider.

let messages = text => text;

function validateRoleCode(value) {
  return (value && !ROLE_CODE.test(value)) ? messages('Role code: lower-case letters, digits, "_"') : null;
}

function validateFormRef(value) {
  return (value && !FORM_REF.test(value)) ? messages('Form ref: lower-case letters, digits, "_", "-"') : null;
}

/** Empty is valid: it means "no step budget" and removes <motcua:budget>. */
function validateBudgetValue(value) {
  if (!value) {
    return null;
  }
  return (DECIMAL.test(value.trim()) && parseFloat(value) > 0) ? null : messages('A number > 0, e.g. 4 or 1.5');
}

function validateFieldKey(value) {
  return (value && !FIELD_KEY.test(value)) ? messages('Invalid field key') : null;
}

function validateNumber(value) {
  return (value && !/^-?\d+(\.\d+)?$/.test(value.trim())) ? messages('Number expected') : null;
}


// Extension element helpers ///////////////////////////////////////////////////

/**
 * Access to the one extension element of `type` on `element` (e.g. motcua:Role on a lane).
 *
 * `set(props)` creates `bpmn:extensionElements` and the element when missing; setting every
 * attribute to undefined removes the element again, so no empty `<motcua:role/>` is written.
 */
function useSingleton(element, type) {
  const commandStack = useService('commandStack');
  const bpmnFactory = useService('bpmnFactory');
  const businessObject = getBusinessObject(element);
  const current = () => getExtensions(businessObject, type)[0];

  const remove = () => {
    const existing = current();
    if (existing) {
      commandStack.execute('properties-panel.multi-command-executor',
        removeExtensionCommands(element, businessObject, [existing]));
    }
  };

  return {
    exists: () => !!current(),
    get: name => {
      const existing = current();
      return existing ? existing.get(name) : undefined;
    },
    remove,
    set: props => {
      const existing = current();
      if (existing) {
        const merged = { ...pickAttrs(existing), ...props };
        if (Object.values(merged).every(value => value === undefined || value === '')) {
          return remove();
        }
        return updateModdle(commandStack, element, existing, props);
      }
      if (Object.values(props).every(value => value === undefined || value === '')) {
        return;
      }
      const commands = [];
      const extensionElements = ensureExtensionElements(element, businessObject, bpmnFactory, commands);
      const created = bpmnFactory.create(type, props);
      created.$parent = extensionElements;
      commands.push(appendValueCommand(element, extensionElements, created));
      commandStack.execute('properties-panel.multi-command-executor', commands);
    }
  };
}

function pickAttrs(moddleElement) {
  const result = {};
  moddleElement.$descriptor.properties.forEach(property => {
    if (property.isAttr) {
      result[property.name] = moddleElement.get(property.name);
    }
  });
  return result;
}

function getExtensions(businessObject, type) {
  const extensionElements = businessObject.get('extensionElements');
  if (!extensionElements) {
    return [];
  }
  return extensionElements.get('values').filter(value => is(value, type));
}

function ensureExtensionElements(element, businessObject, bpmnFactory, commands) {
  let extensionElements = businessObject.get('extensionElements');
  if (!extensionElements) {
    extensionElements = bpmnFactory.create('bpmn:ExtensionElements', { values: [] });
    extensionElements.$parent = businessObject;
    commands.push({
      cmd: 'element.updateModdleProperties',
      context: { element, moddleElement: businessObject, properties: { extensionElements } }
    });
  }
  return extensionElements;
}

function appendValueCommand(element, extensionElements, value) {
  return {
    cmd: 'element.updateModdleProperties',
    context: {
      element,
      moddleElement: extensionElements,
      properties: { values: [...extensionElements.get('values'), value] }
    }
  };
}

function removeExtensionCommands(element, businessObject, toRemove) {
  const extensionElements = businessObject.get('extensionElements');
  const values = extensionElements.get('values').filter(value => !toRemove.includes(value));
  if (!values.length) {
    // Drop the now empty <bpmn:extensionElements/> as well.
    return [{
      cmd: 'element.updateModdleProperties',
      context: { element, moddleElement: businessObject, properties: { extensionElements: undefined } }
    }];
  }
  return [{
    cmd: 'element.updateModdleProperties',
    context: { element, moddleElement: extensionElements, properties: { values } }
  }];
}

function updateModdle(commandStack, element, moddleElement, properties) {
  commandStack.execute('element.updateModdleProperties', { element, moddleElement, properties });
}

/** Keep a value that is not in the option list visible instead of silently showing another one. */
function withCurrent(options, current, translate) {
  if (current && !options.some(option => option.value === current)) {
    options.push({ value: current, label: translate('{value} (not in catalogue)', { value: current }) });
  }
  return options;
}
