// The procedure page (web/templates/designer/procedure.html): the motcua modeler with its
// properties panel beside the canvas, autosave of the draft with its revision, check / publish
// with click-to-select problems, and the draft's form list.
(function () {
  'use strict';

  var data = JSON.parse(document.getElementById('designer-data').textContent);
  var text = JSON.parse(document.getElementById('designer-messages').textContent);
  var csrf = document.querySelector('input[name=csrf_token]').value;
  var base = '/designer/' + encodeURIComponent(data.code);
  var statusBox = document.getElementById('save-status');
  var messageBox = document.getElementById('designer-message');
  var revision = data.revision;
  var dirty = false;
  var conflicted = false;
  var saving = null;
  var timer = null;

  var modeler = window.MotcuaModeler.create({
    container: '#canvas',
    propertiesPanel: '#properties',
    lang: document.documentElement.lang === 'en' ? 'en' : 'vi',
    roles: data.roles,
    forms: data.forms,
    fields: data.fields || []
  });
  window.motcuaModeler = modeler; // for the browser tests and the console

  function fill(template, values) {
    return template.replace(/%\((\w+)\)s/g, function (_m, key) { return String(values[key]); });
  }

  function setStatus(state) {
    statusBox.dataset.state = state;
    statusBox.textContent = text[state] || '';
  }

  function showMessage(message, isError) {
    messageBox.hidden = !message;
    messageBox.textContent = message || '';
    messageBox.className = 'mc-message' + (isError ? ' mc-message--error' : '');
  }

  function post(url, body) {
    return fetch(url, {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': csrf },
      body: JSON.stringify(body)
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (json) {
        return { status: response.status, ok: response.ok, body: json };
      });
    });
  }

  function onConflict() {
    conflicted = true;
    setStatus('conflict');
    showMessage(text.conflict, true);
  }

  // ---------------------------------------------------------------- autosave
  function save() {
    if (saving) {
      return saving.then(save);
    }
    if (!dirty || conflicted) {
      return Promise.resolve(!conflicted);
    }
    dirty = false;
    setStatus('saving');
    saving = modeler.saveXML({ format: true }).then(function (result) {
      return post(base + '/draft', { xml: result.xml, revision: revision });
    }).then(function (r) {
      saving = null;
      if (r.ok && r.body.saved) {
        revision = r.body.revision;
        document.getElementById('draft-revision').textContent = revision;
        if (!dirty) { setStatus('saved'); }
        return true;
      }
      if (r.status === 409) { onConflict(); return false; }
      if (r.status === 401) { showMessage(text.expired, true); }
      dirty = true;
      setStatus('failed');
      return false;
    }, function () {
      saving = null;
      dirty = true;
      setStatus('failed');
      return false;
    });
    return saving;
  }

  function schedule() {
    clearTimeout(timer);
    timer = setTimeout(save, data.autosave_ms);
  }

  modeler.on('commandStack.changed', function (event) {
    // importXML clears the stack ("clear"): loading a diagram is not an edit
    if (conflicted || event.trigger === 'clear') { return; }
    dirty = true;
    setStatus('unsaved');
    schedule();
  });
  setInterval(function () { if (dirty) { save(); } }, 30000);

  // Leaving the page: save what is pending without asking (keepalive outlives the page).
  window.addEventListener('pagehide', function () {
    if (!dirty || conflicted) { return; }
    modeler.saveXML({ format: true }).then(function (result) {
      fetch(base + '/draft', {
        method: 'POST', credentials: 'same-origin', keepalive: true,
        headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': csrf },
        body: JSON.stringify({ xml: result.xml, revision: revision })
      });
    });
  });

  // Links that leave for a page reading the draft (form editor, simulation) save first.
  document.addEventListener('click', function (event) {
    var link = event.target.closest && event.target.closest('a[data-flush], a[href$="/simulate"]');
    if (!link || !dirty || event.ctrlKey || event.metaKey) { return; }
    event.preventDefault();
    save().then(function () { window.location.href = link.href; });
  });

  // ---------------------------------------------------------------- check and publish
  function selectElement(id) {
    var element = modeler.get('elementRegistry').get(id);
    if (!element) { return; }
    modeler.get('selection').select(element);
    modeler.get('canvas').scrollToElement(element, { top: 80, bottom: 80, left: 80, right: 80 });
    document.getElementById('canvas').scrollIntoView({ block: 'nearest' });
  }

  function showProblems(problems, summary) {
    var section = document.getElementById('check-results');
    var list = document.getElementById('problems');
    section.hidden = false;
    section.classList.toggle('mc-problems--ok', problems.length === 0);
    document.getElementById('check-summary').textContent = summary;
    list.textContent = '';
    problems.forEach(function (p) {
      var item = document.createElement('li');
      item.dataset.code = p.code;
      if (p.element_id) { item.dataset.element = p.element_id; }
      var label;
      if (p.element_id && modeler.get('elementRegistry').get(p.element_id)) {
        label = document.createElement('button');
        label.type = 'button';
        label.className = 'mc-problem-link';
        label.addEventListener('click', function () { selectElement(p.element_id); });
      } else if (p.href) {
        label = document.createElement('a');
        label.href = p.href;
        label.setAttribute('data-flush', '');
      } else {
        label = document.createElement('span');
      }
      label.textContent = p.text;
      item.appendChild(label);
      if (p.form && p.element_id && p.code !== 'form_missing') {
        var formLink = document.createElement('a');
        formLink.href = base + '/forms/' + encodeURIComponent(p.form);
        formLink.textContent = ' (' + text.open_form + ')';
        formLink.setAttribute('data-flush', '');
        item.appendChild(formLink);
      }
      var detail = document.createElement('span');
      detail.className = 'mc-problem-detail';
      detail.textContent = p.detail + (p.component ? ' [' + p.component + ']' : '');
      item.appendChild(detail);
      list.appendChild(item);
    });
    section.scrollIntoView({ block: 'nearest' });
  }

  function summaryOf(problems) {
    return problems.length ? fill(text.problems, { num: problems.length }) : text.no_problems;
  }

  // The versions and audit sections come from the server: fetch the page and swap them in.
  function refreshSections() {
    return fetch(window.location.pathname, { credentials: 'same-origin' }).then(function (r) {
      return r.text();
    }).then(function (html) {
      var fresh = new DOMParser().parseFromString(html, 'text/html');
      ['versions', 'audit', 'form-list'].forEach(function (id) {
        var now = document.getElementById(id);
        var next = fresh.getElementById(id);
        if (now && next) { now.innerHTML = next.innerHTML; }
      });
    });
  }

  function check() {
    showMessage('');
    setStatus(dirty ? 'saving' : statusBox.dataset.state);
    return save().then(function (ok) {
      if (!ok && conflicted) { return; }
      statusBox.textContent = text.checking;
      return post(base + '/check', {}).then(function (r) {
        setStatus(dirty ? 'unsaved' : 'saved');
        if (!r.ok) { showMessage(text.error, true); return; }
        showProblems(r.body.problems, summaryOf(r.body.problems));
        return refreshSections();
      });
    });
  }

  function publish() {
    showMessage('');
    return save().then(function (ok) {
      if (!ok && conflicted) { return; }
      statusBox.textContent = text.publishing;
      return post(base + '/publish', { revision: revision }).then(function (r) {
        setStatus(dirty ? 'unsaved' : 'saved');
        if (r.status === 409) { onConflict(); return; }
        if (r.status === 422 && r.body.published === false) {  // refused, with the problems in words
          showProblems(r.body.problems, text.not_publishable);
          showMessage(text.not_publishable, true);
          return refreshSections();
        }
        if (!r.ok) { showMessage(text.error, true); return; }
        document.getElementById('check-results').hidden = true;
        showMessage(fill(r.body.created ? text.published : text.unchanged, { num: r.body.version }), false);
        return refreshSections();
      });
    });
  }

  // ---------------------------------------------------------------- forms
  document.getElementById('add-form').addEventListener('submit', function (event) {
    event.preventDefault();
    var input = document.getElementById('new-form-ref');
    var ref = input.value.trim();
    if (!/^[a-z][a-z0-9_-]*$/.test(ref)) { showMessage(text.form_ref_invalid, true); return; }
    save().then(function () {
      return post(base + '/forms', { ref: ref, revision: revision });
    }).then(function (r) {
      if (r.status === 409 && r.body.error && r.body.error.details.reason === 'form_exists') {
        showMessage(text.form_exists, true);
        return;
      }
      if (r.status === 409) { onConflict(); return; }
      if (!r.ok) { showMessage(text.error, true); return; }
      revision = r.body.revision;
      modeler.get('motcuaCatalogue').setForms(r.body.forms);
      input.value = '';
      showMessage(fill(text.form_added, { ref: ref }), false);
      return refreshSections();
    });
  });

  // ---------------------------------------------------------------- toolbar and start
  document.getElementById('btn-check').addEventListener('click', check);
  document.getElementById('btn-publish').addEventListener('click', publish);
  document.getElementById('btn-save').addEventListener('click', function () { dirty = true; save(); });
  document.getElementById('btn-undo').addEventListener('click', function () { modeler.get('commandStack').undo(); });
  document.getElementById('btn-redo').addEventListener('click', function () { modeler.get('commandStack').redo(); });

  // Fit the whole diagram in the part of the canvas the palette does not cover (with 'fit-viewport'
  // alone the palette hid the pool's lane names and the start event on the left); on a narrow
  // screen the plain fit, which the palette partly covers, keeps the diagram large enough to read.
  function fitBesidePalette(canvas) {
    canvas.zoom('fit-viewport', 'auto');
    var box = document.getElementById('canvas').getBoundingClientRect();
    var palette = document.querySelector('#canvas .djs-palette');
    if (!palette || box.width < 640) { return; }  // a phone: the palette would leave the diagram too small
    var left = palette.getBoundingClientRect().right - box.left + 12;
    var viewbox = canvas.viewbox();
    var inner = viewbox.inner, outer = viewbox.outer;
    if (!inner.width || !inner.height) { return; }
    var scale = Math.min((outer.width - left - 12) / inner.width, (outer.height - 24) / inner.height, 1);
    if (!(scale > 0)) { return; }
    canvas.viewbox({ x: inner.x - left / scale, y: inner.y - (outer.height / scale - inner.height) / 2,
                     width: outer.width / scale, height: outer.height / scale });
  }

  modeler.importXML(data.xml).then(function (result) {
    fitBesidePalette(modeler.get('canvas'));
    setStatus('saved');
    if (result && result.laidOut) {
      // The model had no diagram: the layout is new, so keep it in the draft.
      document.getElementById('canvas').dataset.laidOut = '1';
      showMessage(text.laid_out, false);
      dirty = true;
      setStatus('unsaved');
      schedule();
    }
    document.getElementById('canvas').dataset.ready = '1';
  }).catch(function (err) {
    setStatus('failed');
    showMessage(text.import_error + ' ' + err.message, true);
  });
})();
