/**
 * Entry of the motcua-modeler bundle (window.MotcuaModeler): the bpmn-js Modeler with the
 * properties panel, the stock BPMN provider and our provider for the motcua extension,
 * translated (src/i18n.js), restricted to what the engine runs (src/restrict.js), and laid out
 * automatically when an imported model has no diagram interchange (bpmn-auto-layout).
 *
 *   const modeler = MotcuaModeler.create({
 *     container: '#canvas',            // element or selector (required)
 *     propertiesPanel: '#properties',  // element or selector; omit for no panel
 *     lang: 'vi',                      // 'vi' or 'en'; default: <html lang>
 *     roles: [{code: 'one_stop', name: 'Bộ phận một cửa'}],  // else window.MOTCUA_ROLES
 *     forms: [{ref: 'application', name: 'Tờ khai'}],         // else window.MOTCUA_FORMS
 *     fields: [{key: 'intake_decision', label: 'Kết quả', type: 'radio', options: [...]}]
 *   });
 *   await modeler.importXML(xml);      // lays the model out first when it has no DI
 *   const { xml } = await modeler.saveXML({ format: true });
 */

import BpmnModeler from 'bpmn-js/lib/Modeler';
import {
  BpmnPropertiesPanelModule,
  BpmnPropertiesProviderModule
} from 'bpmn-js-properties-panel';
import { layoutProcess } from 'bpmn-auto-layout';
import { BpmnModdle } from 'bpmn-moddle';

import MotcuaPropertiesProviderModule from './motcua-provider.js';
import RestrictModule from './restrict.js';
import { makeTranslate, pageLanguage } from './i18n.js';
import * as conditions from './condition-builder.js';
import motcuaDescriptor from '../../bpmn/motcua.moddle.json';

import 'bpmn-js/dist/assets/diagram-js.css';
import 'bpmn-js/dist/assets/bpmn-js.css';
import 'bpmn-js/dist/assets/bpmn-font/css/bpmn.css';
import '@bpmn-io/properties-panel/dist/assets/properties-panel.css';
import './motcua-modeler.css';

export const NAMESPACE = motcuaDescriptor.uri;
export const descriptor = motcuaDescriptor;
export { BpmnModeler, conditions, makeTranslate };

/**
 * True when the XML has flow elements but no diagram interchange to draw them with.
 * (A BPMNShape anywhere means the author laid it out: we never move their shapes.)
 */
export function needsLayout(xml) {
  return typeof xml === 'string'
    && !/<([A-Za-z_][\w.-]*:)?BPMNShape[\s/>]/.test(xml)
    && /<([A-Za-z_][\w.-]*:)?(startEvent|task|userTask|scriptTask)[\s/>]/.test(xml);
}

/**
 * Create a bpmn-js Modeler with the motcua moddle extension and properties panel.
 *
 * @param {Object} options
 * @param {HTMLElement|string} options.container  canvas parent (element or CSS selector)
 * @param {HTMLElement|string} [options.propertiesPanel]  panel parent (element or CSS selector)
 * @param {string} [options.lang]  'vi' (default) or 'en'; default: the page's <html lang>
 * @param {Array<{code: string, name: string}|string>} [options.roles]  lane role choices
 * @param {Array<{ref: string, name: string}|string>} [options.forms]  form choices
 * @param {Array<Object>} [options.fields]  fields of the forms, for the condition builder
 * @param {Array} [options.additionalModules]  extra diagram-js modules
 * @param {Object} [options.moddleExtensions]  extra moddle descriptors (motcua is always added)
 *   Any other option (keyboard, ...) is passed to the bpmn-js Modeler unchanged.
 *
 * @return {BpmnModeler} the modeler; `modeler.get('motcuaCatalogue').setRoles([...])` /
 *   `.setForms([...])` / `.setFields([...])` refresh the choices later.
 */
export function create(options = {}) {
  const {
    container,
    propertiesPanel,
    lang,
    roles,
    forms,
    fields,
    additionalModules = [],
    moddleExtensions = {},
    ...rest
  } = options;

  const containerElement = resolveElement(container, 'container');
  const panelElement = propertiesPanel ? resolveElement(propertiesPanel, 'propertiesPanel') : undefined;
  const language = lang === 'en' || lang === 'vi' ? lang : pageLanguage();

  const modeler = new BpmnModeler({
    ...rest,
    container: containerElement,
    propertiesPanel: panelElement ? { parent: panelElement } : undefined,
    additionalModules: [
      BpmnPropertiesPanelModule,
      BpmnPropertiesProviderModule,
      MotcuaPropertiesProviderModule,
      RestrictModule,
      { translate: ['value', makeTranslate(language)] },
      ...additionalModules
    ],
    moddleExtensions: { ...moddleExtensions, motcua: motcuaDescriptor },
    motcua: { roles, forms, fields }
  });

  // A model without DI (written by hand, generated, exported without diagram) would open as an
  // empty canvas: lay it out first. `laidOut` on the result says it happened.
  const importXML = modeler.importXML.bind(modeler);
  modeler.importXML = async function(xml, ...args) {
    if (!needsLayout(xml)) {
      return importXML(xml, ...args);
    }
    const laid = await layoutProcess(await withFlowReferences(xml));
    const result = await importXML(laid, ...args);
    return { ...result, laidOut: true };
  };
  return modeler;
}

/**
 * bpmn-auto-layout walks `<bpmn:outgoing>` / `<bpmn:incoming>`, which BPMN makes optional and
 * hand-written or generated models often leave out: derive them from the sequence flows.
 */
async function withFlowReferences(xml) {
  const moddle = new BpmnModdle({ motcua: motcuaDescriptor });
  const { rootElement: definitions } = await moddle.fromXML(xml);
  const visit = container => {
    (container.flowElements || []).forEach(element => {
      if (element.$type === 'bpmn:SequenceFlow' && element.sourceRef && element.targetRef) {
        const source = element.sourceRef;
        const target = element.targetRef;
        source.outgoing = source.outgoing || [];
        target.incoming = target.incoming || [];
        if (!source.outgoing.includes(element)) {
          source.outgoing.push(element);
        }
        if (!target.incoming.includes(element)) {
          target.incoming.push(element);
        }
      }
      if (element.flowElements) {
        visit(element);
      }
    });
  };
  (definitions.rootElements || []).filter(root => root.$type === 'bpmn:Process').forEach(visit);
  const { xml: completed } = await moddle.toXML(definitions);
  return completed;
}

function resolveElement(target, name) {
  const element = typeof target === 'string' ? document.querySelector(target) : target;
  if (!element) {
    throw new Error(`MotcuaModeler.create: ${name} not found: ${target}`);
  }
  return element;
}
