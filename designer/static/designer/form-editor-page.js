// The form editor page (web/templates/designer/form_editor.html): the form-js editor with the
// motcua palette (vendor/motcua-form-editor), save into the draft as it is (with the components the
// server cannot render listed), live server-rendered previews.
(function () {
  'use strict';

  var data = JSON.parse(document.getElementById('form-data').textContent);
  var text = JSON.parse(document.getElementById('form-messages').textContent);
  var csrf = document.querySelector('input[name=csrf_token]').value;
  var url = '/designer/' + encodeURIComponent(data.code) + '/forms/' + encodeURIComponent(data.ref);
  var statusBox = document.getElementById('form-status');
  var messageBox = document.getElementById('form-message');
  var revision = data.revision;
  var loaded = false;
  var previewTimer = null;
  var editor = null;
  var savedJson = null; // the schema as last saved: "changed" also fires for edits that change nothing
  var previewedJson = null;

  function setStatus(state) {
    statusBox.dataset.state = state;
    statusBox.textContent = text[state] || '';
  }

  function showMessage(message) {
    messageBox.hidden = !message;
    messageBox.textContent = message || '';
    messageBox.className = 'mc-message mc-message--error';
  }

  function showProblems(problems) {
    var section = document.getElementById('form-problems');
    var list = document.getElementById('form-problem-list');
    section.hidden = !problems.length;
    list.textContent = '';
    problems.forEach(function (p) {
      var item = document.createElement('li');
      item.textContent = p.text;
      if (p.component) { item.dataset.component = p.component; }
      list.appendChild(item);
    });
    if (problems.length) { section.scrollIntoView({ block: 'nearest' }); }
  }

  // Both iframes get the unsaved schema through a plain POST (the server renders it).
  function preview() {
    var json = JSON.stringify(editor.saveSchema());
    if (json === previewedJson) { return; }
    previewedJson = json;
    var form = document.getElementById('preview-form');
    form.elements.schema.value = json;
    ['preview-phone', 'preview-desktop'].forEach(function (target) {
      form.target = target;
      form.submit();
    });
  }

  function save() {
    setStatus('saving');
    showMessage('');
    var schema = editor.saveSchema();
    return fetch(url, {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': csrf },
      body: JSON.stringify({ schema: schema, revision: revision })
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (body) {
        if (response.ok && body.saved) {
          // saved as it is, even with problems: the draft never loses work (the problems stay listed)
          revision = body.revision;
          savedJson = JSON.stringify(schema);
          showProblems(body.problems || []);
          var clean = body.problems && body.problems.length ? 'saved_with_problems' : 'saved';
          setStatus(JSON.stringify(editor.saveSchema()) === savedJson ? clean : 'unsaved');
          return true;
        }
        if (response.ok && body.problems) {
          showProblems(body.problems);
          setStatus('refused');
        } else if (response.status === 409) {
          setStatus('conflict');
          showMessage(text.conflict);
        } else if (response.status === 401) {
          setStatus('failed');
          showMessage(text.expired);
        } else {
          setStatus('failed');
        }
        return false;
      });
    }, function () { setStatus('failed'); return false; });
  }

  document.getElementById('btn-save-form').addEventListener('click', save);
  document.addEventListener('keydown', function (event) {
    if ((event.ctrlKey || event.metaKey) && event.key === 's') {
      event.preventDefault();
      save();
    }
  });

  window.MotcuaFormEditor.create({
    container: document.getElementById('form-editor'),
    schema: data.schema,
    lang: document.documentElement.lang === 'en' ? 'en' : 'vi'
  })
    .then(function (created) {
      editor = created;
      window.motcuaFormEditor = editor; // for the browser tests and the console
      savedJson = previewedJson = JSON.stringify(editor.saveSchema());
      editor.on('changed', function () {
        if (!loaded || statusBox.dataset.state === 'saving') { return; }
        if (JSON.stringify(editor.saveSchema()) === savedJson) {
          if (statusBox.dataset.state === 'unsaved') { setStatus('saved'); }
          return;
        }
        setStatus('unsaved');
        clearTimeout(previewTimer);
        previewTimer = setTimeout(preview, 600);
      });
      loaded = true;
      setStatus(document.getElementById('form-problem-list').children.length ? 'saved_with_problems' : 'saved');
      document.getElementById('form-editor').dataset.ready = '1';
    }).catch(function (err) {
      setStatus('failed');
      showMessage(text.import_error + ' ' + err.message);
    });
})();
