// Hide rules, live (progressive enhancement; forms/client.py). The server renders every rule
// already decided and decides again on each post; this script only re-decides, as the citizen
// types, the rules the server sent as JSON trees in data-mc-hide, with forms/feel.py's semantics
// (FEEL three-valued logic, form-js unary test). No eval, no FEEL text.
(function () {
  "use strict";

  function kind(v) {
    if (v === null || v === undefined) return null;
    if (typeof v === "boolean") return "bool";
    if (typeof v === "number") return Number.isFinite(v) ? "number" : null;
    if (typeof v === "string") return "string";
    if (Array.isArray(v)) return "list";
    if (typeof v === "object") return "context";
    return null;
  }

  function data(v) { return v === undefined ? null : v; }

  function equal(a, b) {
    if (a === null || b === null) return a === null && b === null;
    var k = kind(a);
    if (k === null || k !== kind(b)) return null;
    var results, i;
    if (k === "list") {
      if (a.length !== b.length) return false;
      results = [];
      for (i = 0; i < a.length; i++) results.push(equal(data(a[i]), data(b[i])));
    } else if (k === "context") {
      var ka = Object.keys(a).sort(), kb = Object.keys(b).sort();
      if (ka.join("\u0000") !== kb.join("\u0000")) return false;
      results = ka.map(function (key) { return equal(data(a[key]), data(b[key])); });
    } else {
      return a === b;
    }
    if (results.indexOf(null) >= 0) return null;
    return results.every(function (r) { return r === true; });
  }

  function order(op, a, b) {
    var k = kind(a);
    if (a === null || b === null || (k !== "number" && k !== "string") || k !== kind(b)) return null;
    if (op === "<") return a < b;
    if (op === "<=") return a <= b;
    if (op === ">") return a > b;
    return a >= b;
  }

  function logic(op, a, b) {
    a = typeof a === "boolean" ? a : null;
    b = typeof b === "boolean" ? b : null;
    if (op === "and") {
      if (a === false || b === false) return false;
      return a === true && b === true ? true : null;
    }
    if (a === true || b === true) return true;
    return a === false && b === false ? false : null;
  }

  function evaluate(node, ctx) {
    var op = node[0];
    if (op === "lit") return node[1];
    if (op === "num") return Number(node[1]);
    if (op === "name") return ctx && typeof ctx === "object" && !Array.isArray(ctx) ? data(ctx[node[1]]) : null;
    if (op === "path") {
      var base = evaluate(node[1], ctx);
      return kind(base) === "context" ? data(base[node[2]]) : null;
    }
    if (op === "not") {
      var v = evaluate(node[1], ctx);
      return typeof v === "boolean" ? !v : null;
    }
    var left = evaluate(node[1], ctx), right = evaluate(node[2], ctx);
    if (op === "and" || op === "or") return logic(op, left, right);
    if (op === "=") return equal(left, right);
    if (op === "!=") { var same = equal(left, right); return same === null ? null : !same; }
    return order(op, left, right);
  }

  function test(value) { return typeof value === "boolean" ? value : value === null; }

  // form-js's decision: a top-level not(x) is the negated unary test
  function unaryTest(tree, ctx) {
    if (tree[0] === "not") return !test(evaluate(tree[1], ctx));
    return test(evaluate(tree, ctx));
  }

  function grouped(s, mark) { return new RegExp("^\\d{1,3}(\\" + mark + "\\d{3})+$").test(s); }

  // a number as typed by a Vietnamese citizen (forms/values.py parse_number)
  function number(text) {
    var s = text.replace(/[\s\u00a0\u202f_']/g, "");
    if (!s || s.length > 40) return null;
    var sign = "";
    if (s[0] === "+" || s[0] === "-") { sign = s[0] === "-" ? "-" : ""; s = s.slice(1); }
    var commas = (s.match(/,/g) || []).length, dots = (s.match(/\./g) || []).length;
    if (commas && dots) {
      var dec = s.lastIndexOf(",") > s.lastIndexOf(".") ? "," : ".", th = dec === "," ? "." : ",";
      var at = s.lastIndexOf(dec), whole = s.slice(0, at), fraction = s.slice(at + 1);
      if (fraction.indexOf(th) >= 0 || !grouped(whole, th)) return null;
      s = whole.split(th).join("") + "." + fraction;
    } else if (commas + dots > 1) {
      var mark = commas ? "," : ".";
      if (!grouped(s, mark)) return null;
      s = s.split(mark).join("");
    } else if (commas + dots === 1) {
      var one = commas ? "," : ".";
      s = grouped(s, one) ? s.replace(one, "") : s.replace(",", ".");
    }
    return /^\d+(\.\d+)?$/.test(s) ? Number(sign + s) : null;
  }

  function valueOf(wrapper) {
    var k = wrapper.getAttribute("data-mc-kind");
    var options = JSON.parse(wrapper.getAttribute("data-mc-options") || "{}");
    var inputs = wrapper.querySelectorAll("input, select, textarea");
    if (k === "bool") return inputs.length ? inputs[0].checked : false;
    if (k === "choice") {
      for (var i = 0; i < inputs.length; i++) {
        var el = inputs[i];
        if (el.tagName === "SELECT") return el.value in options ? options[el.value] : null;
        if (el.checked) return el.value in options ? options[el.value] : null;
      }
      return null;
    }
    if (k === "multi") {
      var out = [];
      Object.keys(options).forEach(function (token) {
        for (var j = 0; j < inputs.length; j++) {
          if (inputs[j].checked && inputs[j].value === token) { out.push(options[token]); break; }
        }
      });
      return out;
    }
    var text = inputs.length ? inputs[0].value.normalize("NFC") : "";
    if (k === "number") return number(text);
    if (k === "text") return wrapper.querySelector("textarea") ? text.trim() : text.replace(/[\r\n]+/g, " ").trim();
    return null;
  }

  function context(form) {
    var ctx = {};
    form.querySelectorAll("[data-mc-key]").forEach(function (wrapper) {
      var path = wrapper.getAttribute("data-mc-key").split(".");
      var target = ctx;
      for (var i = 0; i < path.length - 1; i++) {
        if (kind(target[path[i]]) !== "context") target[path[i]] = {};
        target = target[path[i]];
      }
      target[path[path.length - 1]] = valueOf(wrapper);
    });
    return ctx;
  }

  function apply(form) {
    var ctx = context(form);
    form.querySelectorAll("[data-mc-hide]").forEach(function (el) {
      var hide;
      try { hide = unaryTest(JSON.parse(el.getAttribute("data-mc-hide")), ctx); } catch (e) { return; }
      el.hidden = hide;
    });
  }

  window.MotcuaHide = { unaryTest: unaryTest, number: number };
  document.querySelectorAll("form").forEach(function (form) {
    if (!form.querySelector("[data-mc-hide]")) return;
    apply(form);
    form.addEventListener("input", function () { apply(form); });
    form.addEventListener("change", function () { apply(form); });
  });
})();
