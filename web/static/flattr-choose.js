// "Flattr from your own Plaudit server": remembers the server the visitor
// chose in this browser ("plaudit.server", which the button's frame also
// reads) and, next time, takes them there on its own (with a moment to
// stay here instead). Without JavaScript the form still works: the
// server sends the visitor on.
(function () {
  'use strict';
  var KEY = 'plaudit.server';

  // normalize turns a host, URL or @user@host handle into an origin, or "".
  function normalize(input) {
    var s = String(input || '').trim();
    var at = s.lastIndexOf('@');
    if (at >= 0 && s.indexOf('/') < 0) {
      s = s.slice(at + 1);
    }
    if (s.indexOf('://') < 0) {
      s = 'https://' + s;
    }
    var m = /^(https?):\/\/([a-z0-9.\-]+(:[0-9]+)?)\/?$/i.exec(s);
    return m ? m[1].toLowerCase() + '://' + m[2].toLowerCase() : '';
  }

  if (typeof module !== 'undefined' && module.exports) {
    module.exports = { KEY: KEY, normalize: normalize };
    return;
  }
  var box = document.querySelector('[data-plaudit-choose]');
  if (!box) {
    return;
  }
  var storage = null;
  try {
    storage = window.localStorage;
  } catch (e) {}
  var page = box.getAttribute('data-url');
  var form = box.querySelector('form');
  form.addEventListener('submit', function () {
    var server = normalize(form.elements.server.value);
    if (server && storage) {
      try { storage.setItem(KEY, server); } catch (e) {}
    }
  });
  var remembered = '';
  try { remembered = storage ? normalize(storage.getItem(KEY)) : ''; } catch (e) {}
  if (!remembered || remembered === location.origin) {
    return;
  }
  var note = box.querySelector('[data-plaudit-forwarding]');
  note.querySelector('[data-plaudit-server]').textContent = remembered;
  note.hidden = false;
  var timer = setTimeout(function () {
    location.replace(remembered + '/flattr?url=' + encodeURIComponent(page));
  }, 1500);
  note.querySelector('[data-plaudit-stay]').addEventListener('click', function () {
    clearTimeout(timer);
    try { storage.removeItem(KEY); } catch (e) {}
    note.hidden = true;
  });
})();
