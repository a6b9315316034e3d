/**
 * Only what the engine runs: filters the bpmn-js palette, context pad and replace menu.
 *
 * The engine (engine/workflow/parser.py) refuses a plain task ("untyped_task") and dispatches no
 * service, send, receive, manual or business-rule task; it has no data objects. So the generic
 * "task" entries become "user task" entries, and the replace menu keeps only the kinds below.
 * The server stays the judge: "Kiểm tra" lists anything an imported model still carries.
 */

const PALETTE_DROP = ['create.task', 'create.data-object', 'create.data-store', 'create.group'];

const CONTEXT_PAD_DROP = [
  'append.append-task', 'append.receive-task', 'append.condition-intermediate-event',
  'append.signal-intermediate-event', 'append.compensation-activity'
];

// replace-menu entry ids (bpmn-js lib/features/replace/ReplaceOptions.js: 'replace-with-' + kind)
export const REPLACE_KEEP = [
  'user-task', 'script-task', 'subprocess', 'expanded-subprocess', 'collapsed-subprocess',
  'exclusive-gateway', 'parallel-gateway', 'inclusive-gateway', 'event-based-gateway',
  'none-start', 'none-end', 'terminate-end', 'message-end', 'none-intermediate-throw',
  'timer-intermediate-catch', 'message-intermediate-catch', 'message-intermediate-throw',
  'timer-boundary', 'non-interrupting-timer-boundary', 'message-boundary', 'non-interrupting-message-boundary',
  'sequence-flow', 'default-flow', 'conditional-flow', 'expanded-pool', 'collapsed-pool'
].map(kind => 'replace-with-' + kind);

const HEADER_KEEP = ['toggle-parallel-mi', 'toggle-sequential-mi', 'toggle-loop', 'toggle-non-interrupting'];

const LOW_PRIORITY = 100; // after the stock providers: we see (and filter) their entries

function pick(entries, keep) {
  const result = {};
  Object.keys(entries).forEach(id => {
    if (keep(id)) {
      result[id] = entries[id];
    }
  });
  return result;
}

export class RestrictedPalette {
  constructor(palette, create, elementFactory, translate) {
    palette.registerProvider(LOW_PRIORITY, this);
    this._create = create;
    this._elementFactory = elementFactory;
    this._translate = translate;
  }

  getPaletteEntries() {
    const create = this._create;
    const elementFactory = this._elementFactory;
    const startCreate = event => create.start(event, elementFactory.createShape({ type: 'bpmn:UserTask' }));
    const userTask = {
      group: 'activity',
      className: 'bpmn-icon-user-task',
      title: this._translate('Create user task'),
      action: { dragstart: startCreate, click: startCreate }
    };
    return entries => {
      const result = {};
      Object.keys(entries).forEach(id => {
        if (id === 'create.task') {
          result['create.user-task'] = userTask; // same place in the palette
        } else if (!PALETTE_DROP.includes(id)) {
          result[id] = entries[id];
        }
      });
      return result;
    };
  }
}

RestrictedPalette.$inject = ['palette', 'create', 'elementFactory', 'translate'];

export class RestrictedContextPad {
  constructor(contextPad, injector, translate) {
    contextPad.registerProvider(LOW_PRIORITY, this);
    this._injector = injector;
    this._translate = translate;
  }

  getContextPadEntries(element) {
    const injector = this._injector;
    const translate = this._translate;
    return entries => {
      const result = {};
      Object.keys(entries).forEach(id => {
        if (id === 'append.append-task') {
          result['append.user-task'] = appendUserTask(injector, element, entries[id], translate);
        } else if (!CONTEXT_PAD_DROP.includes(id)) {
          result[id] = entries[id];
        }
      });
      return result;
    };
  }
}

RestrictedContextPad.$inject = ['contextPad', 'injector', 'translate'];

function appendUserTask(injector, element, stock, translate) {
  const elementFactory = injector.get('elementFactory');
  const autoPlace = injector.get('autoPlace', false);
  const create = injector.get('create');
  const newShape = () => elementFactory.createShape({ type: 'bpmn:UserTask' });
  const dragstart = event => create.start(event, newShape(), { source: element });
  return {
    group: stock.group || 'model',
    className: 'bpmn-icon-user-task',
    title: translate('Append user task'),
    action: {
      dragstart,
      click: autoPlace ? () => autoPlace.append(element, newShape()) : dragstart
    }
  };
}

export class RestrictedReplaceMenu {
  constructor(popupMenu) {
    popupMenu.registerProvider('bpmn-replace', LOW_PRIORITY, this);
  }

  getPopupMenuEntries() {
    return entries => pick(entries, id => REPLACE_KEEP.includes(id));
  }

  getPopupMenuHeaderEntries() {
    return entries => pick(entries, id => HEADER_KEEP.includes(id));
  }
}

RestrictedReplaceMenu.$inject = ['popupMenu'];

export default {
  __init__: ['motcuaPalette', 'motcuaContextPad', 'motcuaReplaceMenu'],
  motcuaPalette: ['type', RestrictedPalette],
  motcuaContextPad: ['type', RestrictedContextPad],
  motcuaReplaceMenu: ['type', RestrictedReplaceMenu]
};
