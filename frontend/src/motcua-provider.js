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
 *
 * Role and form choices come from the `motcuaCatalogue` service (modeler option
 * `motcua: {roles, forms}`, else `window.MOTCUA_ROLES` / `window.MOTCUA_FORMS`); with an
 * empty catalogue the fields fall back to free text. Every change goes through the
 * command stack, so undo/redo work and `saveXML()` writes the extension elements back.
 */

import { h } from '@bpmn-io/properties-panel/preact';
import {
  Group,
  ListGroup,
  SelectEntry,
  TextFieldEntry,
  TextAreaEntry,
  isSelectEntryEdited,
  isTextFieldEntryEdited,
  isTextAreaEntryEdited
} from '@bpmn-io/properties-panel';
import { useService } from 'bpmn-js-properties-panel';
import { getBusinessObject, is, isAny } from 'bpmn-js/lib/util/ModelUtil';

const LOW_PRIORITY = 500;

// Same lexical rules as bpmn/motcua.xsd (tRoleCode, tFormRef, tBudgetValue, tFieldKey).
const ROLE_CODE = /^[a-z][a-z0-9_]*$/;
const FORM_REF = /^[a-z][a-z0-9_-]*$/;
const DECIMAL = /^\+?(\d+(\.\d*)?|\.\d+)$/;
const FIELD_KEY = /^[A-Za-z][A-Za-z0-9_]*$/;

const BUDGET_UNITS = [
  { value: 'working_days', label: 'Ngày làm việc / working days' },
  { value: 'working_hours', label: 'Giờ làm việc / working hours' }
];

const LIFECYCLE_COMMANDS = [
  { value: 'accept', label: 'Tiếp nhận / accept' },
  { value: 'refuse', label: 'Từ chối / refuse' },
  { value: 'finish', label: 'Hoàn thành giải quyết / finish' },
  { value: 'return_result', label: 'Trả kết quả / return result' },
  { value: 'request_financial_obligation', label: 'Yêu cầu nghĩa vụ tài chính / request financial obligation' },
  { value: 'fulfil_financial_obligation', label: 'Hoàn thành nghĩa vụ tài chính / fulfil financial obligation' }
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
    this._eventBus = eventBus;
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
  }

  getGroups(element) {
    return groups => {
      const ours = [
        roleGroup(element),
        formGroup(element),
        budgetGroup(element),
        lifecycleGroup(element, this._injector),
        conditionGroup(element)
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

function roleGroup(element) {
  if (!is(element, 'bpmn:Lane')) {
    return null;
  }
  return {
    id: 'motcua-role',
    label: 'Vai trò / Role',
    component: Group,
    entries: [
      { id: 'motcua-role-code', component: RoleCodeEntry, isEdited: isSelectEntryEdited }
    ]
  };
}

function formGroup(element) {
  if (!isAny(element, ['bpmn:StartEvent', 'bpmn:UserTask'])) {
    return null;
  }
  return {
    id: 'motcua-form',
    label: 'Biểu mẫu / Form',
    component: Group,
    entries: [
      { id: 'motcua-form-ref', component: FormRefEntry, isEdited: isSelectEntryEdited }
    ]
  };
}

function budgetGroup(element) {
  if (!is(element, 'bpmn:UserTask')) {
    return null;
  }
  return {
    id: 'motcua-budget',
    label: 'Thời hạn bước / Step budget',
    component: Group,
    entries: [
      { id: 'motcua-budget-value', component: BudgetValueEntry, isEdited: isTextFieldEntryEdited },
      { id: 'motcua-budget-unit', component: BudgetUnitEntry, isEdited: isSelectEntryEdited }
    ]
  };
}

function conditionGroup(element) {
  if (!is(element, 'bpmn:SequenceFlow') || !element.source || !isAny(element.source, CONDITIONAL_SOURCES)) {
    return null;
  }
  return {
    id: 'motcua-condition',
    label: 'Điều kiện / Condition',
    component: Group,
    entries: [
      { id: 'motcua-condition-expression', component: ConditionEntry, isEdited: isTextAreaEntryEdited }
    ]
  };
}

function lifecycleGroup(element, injector) {
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
      label: lifecycle.get('command') || '(chưa chọn / not set)',
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
    label: 'Vòng đời hồ sơ / Lifecycle',
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
      label: 'Mã vai trò / Role code',
      description: 'Ví dụ / e.g. one_stop, specialist, leader',
      debounce
    });
  }
  const getOptions = () => withCurrent(
    [{ value: '', label: '— Chọn vai trò / choose a role —' }]
      .concat(roles.map(role => ({ value: role.code, label: `${role.name} (${role.code})` }))),
    getValue()
  );
  return h(SelectEntry, {
    element, id, getValue, setValue, getOptions,
    label: 'Vai trò thực hiện / Role'
  });
}

function FormRefEntry({ element, id }) {
  const catalogue = useService('motcuaCatalogue');
  const debounce = useService('debounceInput');
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
      label: 'Mã biểu mẫu / Form ref',
      description: 'forms/<ref>.form.json',
      debounce
    });
  }
  const getOptions = () => withCurrent(
    [{ value: '', label: '— Không có biểu mẫu / no form —' }]
      .concat(forms.map(form => ({
        value: form.ref,
        label: form.name === form.ref ? form.ref : `${form.name} (${form.ref})`
      }))),
    getValue()
  );
  return h(SelectEntry, {
    element, id, getValue, setValue, getOptions,
    label: 'Biểu mẫu / Form'
  });
}

function BudgetValueEntry({ element, id }) {
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
    label: 'Thời hạn / Budget',
    description: 'Để trống nếu bước không có thời hạn riêng / leave empty for no step budget',
    debounce: useService('debounceInput')
  });
}

function BudgetUnitEntry({ element, id }) {
  const budget = useSingleton(element, 'motcua:Budget');
  return h(SelectEntry, {
    element, id,
    label: 'Đơn vị / Unit',
    // Without a budget value there is nothing to qualify: a unit alone would write an
    // invalid <motcua:budget unit="…"/>. The value entry creates the element.
    disabled: !budget.exists(),
    getValue: () => budget.get('unit') || 'working_days',
    setValue: value => budget.set({ unit: value }),
    getOptions: () => withCurrent(BUDGET_UNITS.slice(), budget.get('unit'))
  });
}

function ConditionEntry({ element, id }) {
  const commandStack = useService('commandStack');
  const bpmnFactory = useService('bpmnFactory');
  const debounce = useService('debounceInput');
  const businessObject = getBusinessObject(element);
  const source = element.source;
  const isDefault = source.businessObject.get('default') === businessObject;

  const getValue = () => {
    const condition = businessObject.get('conditionExpression');
    return (condition && condition.get('body')) || '';
  };
  const setValue = value => {
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
  return h(TextAreaEntry, {
    element, id, getValue, setValue, debounce,
    label: 'Biểu thức điều kiện / Condition expression',
    description: isDefault
      ? 'Luồng mặc định; nhập điều kiện sẽ bỏ mặc định / default flow; a condition removes the default'
      : 'Ví dụ / e.g. intake_decision == "refuse"',
    monospace: true,
    rows: 2,
    autoResize: true
  });
}

function LifecycleCommandEntry({ element, id, lifecycle }) {
  const commandStack = useService('commandStack');
  return h(SelectEntry, {
    element, id,
    label: 'Bước vòng đời / Command',
    getValue: () => lifecycle.get('command') || '',
    setValue: value => updateModdle(commandStack, element, lifecycle, { command: value || undefined }),
    getOptions: () => withCurrent(
      [{ value: '', label: '— Chọn / choose —' }].concat(LIFECYCLE_COMMANDS),
      lifecycle.get('command')
    )
  });
}

function LifecycleWhenEntry({ element, id, lifecycle }) {
  const commandStack = useService('commandStack');
  return h(TextFieldEntry, {
    element, id,
    label: 'Khi / When',
    description: 'Biểu thức trên dữ liệu của bước; để trống = luôn luôn / expression over the task data; empty = always',
    getValue: () => lifecycle.get('when') || '',
    setValue: value => updateModdle(commandStack, element, lifecycle, { when: value || undefined }),
    debounce: useService('debounceInput')
  });
}

function LifecycleReasonsEntry({ element, id, lifecycle }) {
  const commandStack = useService('commandStack');
  return h(TextFieldEntry, {
    element, id,
    label: 'Trường lý do / Reasons field',
    description: 'Khóa trường biểu mẫu chứa lý do từ chối / form field key holding the refusal reasons',
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


// Validators ////////////////////////////////////////////////////////////////////
//
// Module-level on purpose: the panel entries re-run `validate` when the function identity
// changes, so an inline closure would clear the error shown for a rejected input.

function validateRoleCode(value) {
  return (value && !ROLE_CODE.test(value))
    ? 'Mã vai trò: chữ thường, số, "_" / lower-case letters, digits, "_"'
    : null;
}

function validateFormRef(value) {
  return (value && !FORM_REF.test(value))
    ? 'Mã biểu mẫu: chữ thường, số, "_", "-" / lower-case letters, digits, "_", "-"'
    : null;
}

/** Empty is valid: it means "no step budget" and removes <motcua:budget>. */
function validateBudgetValue(value) {
  if (!value) {
    return null;
  }
  return (DECIMAL.test(value.trim()) && parseFloat(value) > 0)
    ? null
    : 'Số lớn hơn 0, ví dụ 4 hoặc 1.5 / a number > 0, e.g. 4 or 1.5';
}

function validateFieldKey(value) {
  return (value && !FIELD_KEY.test(value))
    ? 'Khóa trường không hợp lệ / invalid field key'
    : null;
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
function withCurrent(options, current) {
  if (current && !options.some(option => option.value === current)) {
    options.push({ value: current, label: `${current} (không có trong danh mục / not in catalogue)` });
  }
  return options;
}
