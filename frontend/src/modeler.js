/**
 * Entry of the motcua-modeler bundle (window.MotcuaModeler): the bpmn-js Modeler with the
 * properties panel, the stock BPMN provider and our provider for the motcua extension.
 *
 *   const modeler = MotcuaModeler.create({
 *     container: '#canvas',            // element or selector (required)
 *     propertiesPanel: '#properties',  // element or selector; omit for no panel
 *     roles: [{code: 'one_stop', name: 'Bộ phận một cửa'}],  // else window.MOTCUA_ROLES
 *     forms: [{ref: 'application', name: 'Tờ khai'}]          // else window.MOTCUA_FORMS
 *   });
 *   await modeler.importXML(xml);
 *   const { xml } = await modeler.saveXML({ format: true });
 */

import BpmnModeler from 'bpmn-js/lib/Modeler';
import {
  BpmnPropertiesPanelModule,
  BpmnPropertiesProviderModule
} from 'bpmn-js-properties-panel';

import MotcuaPropertiesProviderModule from './motcua-provider.js';
import motcuaDescriptor from '../../bpmn/motcua.moddle.json';

import 'bpmn-js/dist/assets/diagram-js.css';
import 'bpmn-js/dist/assets/bpmn-js.css';
import 'bpmn-js/dist/assets/bpmn-font/css/bpmn.css';
import '@bpmn-io/properties-panel/dist/assets/properties-panel.css';

export const NAMESPACE = motcuaDescriptor.uri;
export const descriptor = motcuaDescriptor;
export { BpmnModeler };

/**
 * Create a bpmn-js Modeler with the motcua moddle extension and properties panel.
 *
 * @param {Object} options
 * @param {HTMLElement|string} options.container  canvas parent (element or CSS selector)
 * @param {HTMLElement|string} [options.propertiesPanel]  panel parent (element or CSS selector)
 * @param {Array<{code: string, name: string}|string>} [options.roles]  lane role choices
 * @param {Array<{ref: string, name: string}|string>} [options.forms]  form choices
 * @param {Array} [options.additionalModules]  extra diagram-js modules
 * @param {Object} [options.moddleExtensions]  extra moddle descriptors (motcua is always added)
 *   Any other option (keyboard, ...) is passed to the bpmn-js Modeler unchanged.
 *
 * @return {BpmnModeler} the modeler; `modeler.get('motcuaCatalogue').setRoles([...])` /
 *   `.setForms([...])` refresh the choices later.
 */
export function create(options = {}) {
  const {
    container,
    propertiesPanel,
    roles,
    forms,
    additionalModules = [],
    moddleExtensions = {},
    ...rest
  } = options;

  const containerElement = resolveElement(container, 'container');
  const panelElement = propertiesPanel ? resolveElement(propertiesPanel, 'propertiesPanel') : undefined;

  return new BpmnModeler({
    ...rest,
    container: containerElement,
    propertiesPanel: panelElement ? { parent: panelElement } : undefined,
    additionalModules: [
      BpmnPropertiesPanelModule,
      BpmnPropertiesProviderModule,
      MotcuaPropertiesProviderModule,
      ...additionalModules
    ],
    moddleExtensions: { ...moddleExtensions, motcua: motcuaDescriptor },
    motcua: { roles, forms }
  });
}

function resolveElement(target, name) {
  const element = typeof target === 'string' ? document.querySelector(target) : target;
  if (!element) {
    throw new Error(`MotcuaModeler.create: ${name} not found: ${target}`);
  }
  return element;
}
