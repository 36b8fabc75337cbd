// Checks the flattr button's scripts (run by TestButtonScripts with node):
// the placeholder contract of button.js, the frame's link to a chosen
// server in button-frame.js, and flattr-choose.js's server names.
'use strict';
const assert = require('node:assert');
const path = require('node:path');
const dir = path.resolve(process.argv[2]);
const button = require(path.join(dir, 'button.js'));
const frame = require(path.join(dir, 'button-frame.js'));
const choose = require(path.join(dir, 'flattr-choose.js'));

// A document with just what the scripts touch.
function element(tag, attrs, parent) {
  const el = {
    tagName: tag, attrs: Object.assign({}, attrs), style: {}, parentNode: parent,
    getAttribute(n) { return n in this.attrs ? this.attrs[n] : null; },
    setAttribute(n, v) { this.attrs[n] = String(v); },
  };
  return el;
}
function documentWith(links, canonical) {
  const body = { children: [], replaceChild(n, old) { this.children[this.children.indexOf(old)] = n; n.parentNode = this; } };
  links.forEach((attrs) => body.children.push(element('a', attrs, body)));
  return {
    body,
    location: { href: 'https://blog.example/post#comments' },
    createElement: (tag) => element(tag, {}, null),
    querySelector: (sel) => (sel === 'link[rel="canonical"]' && canonical ? { href: canonical } : null),
    querySelectorAll(sel) {
      if (sel === 'a.plaudit-button') return body.children.filter((c) => c.tagName === 'a' && c.attrs.class === 'plaudit-button');
      if (sel === 'a[data-plaudit-flattr]') return body.children.filter((c) => c.tagName === 'a' && 'data-plaudit-flattr' in c.attrs);
      return [];
    },
  };
}

// button.js: each placeholder becomes a frame from the server of its href.
const page = 'https://blog.example/post?a=1&b=2';
const doc = documentWith([
  { class: 'plaudit-button', href: 'https://plaudit.example/flattr?url=' + encodeURIComponent(page), 'data-url': page },
  { class: 'plaudit-button', href: 'http://127.0.0.1:18501/flattr?url=' + encodeURIComponent('https://x.example/a b') },
  { class: 'plaudit-button', href: 'https://plaudit.example/flattr', 'data-width': '200' },
  { class: 'plaudit-button', href: 'javascript:alert(1)', 'data-url': page },
  { class: 'other', href: 'https://plaudit.example/flattr?url=x' },
], 'https://blog.example/canonical');
button.replaceAll(doc);
const [a, b, c, d, e] = doc.body.children;
assert.strictEqual(a.tagName, 'iframe');
assert.strictEqual(a.src, 'https://plaudit.example/button?url=' + encodeURIComponent(page));
assert.strictEqual(a.width, '150');
assert.strictEqual(a.height, '36');
assert.strictEqual(a.style.border, '0');
assert.strictEqual(b.src, 'http://127.0.0.1:18501/button?url=' + encodeURIComponent('https://x.example/a b'));
assert.strictEqual(c.src, 'https://plaudit.example/button?url=' + encodeURIComponent('https://blog.example/canonical'));
assert.strictEqual(c.width, '200');
assert.strictEqual(d.tagName, 'a', 'a javascript: href is left alone');
assert.strictEqual(e.tagName, 'a', 'other links are left alone');
assert.strictEqual(button.pageOf(element('a', { href: '/x' }), documentWith([])), 'https://blog.example/post');

// button-frame.js: the link goes to the remembered server, else stays.
const store = (v) => ({ getItem: (k) => (k === frame.KEY ? v : null) });
const frameDoc = (home) => documentWith([{ 'data-plaudit-flattr': '', href: home + '/flattr?url=' + encodeURIComponent(page), 'data-url': page }]);
let fd = frameDoc('https://home.example');
frame.point(fd, store('https://their.example'));
assert.strictEqual(fd.body.children[0].href, 'https://their.example/flattr?url=' + encodeURIComponent(page));
for (const bad of [null, '', 'javascript:alert(1)', 'https://their.example/path', 'https://a@b.example']) {
  fd = frameDoc('https://home.example');
  frame.point(fd, store(bad));
  assert.strictEqual(fd.body.children[0].href, undefined, 'kept the default link for ' + bad);
}
fd = frameDoc('https://home.example');
frame.point(fd, { getItem() { throw new Error('SecurityError'); } });
assert.strictEqual(fd.body.children[0].href, undefined);

// flattr-choose.js: what a visitor types becomes an origin.
const cases = {
  'their.example': 'https://their.example',
  '@carol@Their.Example': 'https://their.example',
  'carol@their.example': 'https://their.example',
  'http://127.0.0.1:18501/': 'http://127.0.0.1:18501',
  'https://their.example/some/path': '',
  'javascript:alert(1)': '',
  '': '',
};
for (const [input, want] of Object.entries(cases)) {
  assert.strictEqual(choose.normalize(input), want, input);
}
assert.strictEqual(choose.KEY, frame.KEY);
console.log('button scripts: ok');
