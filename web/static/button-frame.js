// Inside the flattr button's frame: when the visitor chose their own
// Plaudit server before (remembered in this browser under
// "plaudit.server"), the button links to that server's confirm page
// instead of this one's.
(function () {
  'use strict';
  var KEY = 'plaudit.server';

  // origin checks a remembered server: an http(s) origin, nothing more.
  function origin(s) {
    return /^https?:\/\/[a-z0-9.\-]+(:[0-9]+)?$/i.test(s || '') ? s : '';
  }

  // flattrTarget is where flattring page from server goes.
  function flattrTarget(server, page) {
    return server + '/flattr?url=' + encodeURIComponent(page);
  }

  function remembered(storage) {
    try {
      return origin(storage.getItem(KEY));
    } catch (e) {
      return ''; // storage refused (third-party frame, private mode): this server
    }
  }

  function point(doc, storage) {
    var server = remembered(storage);
    if (!server) {
      return;
    }
    var links = doc.querySelectorAll('a[data-plaudit-flattr]');
    for (var i = 0; i < links.length; i++) {
      links[i].href = flattrTarget(server, links[i].getAttribute('data-url'));
    }
  }

  if (typeof module !== 'undefined' && module.exports) {
    module.exports = { KEY: KEY, origin: origin, flattrTarget: flattrTarget, point: point };
    return;
  }
  var storage = null;
  try {
    storage = window.localStorage;
  } catch (e) {}
  if (storage) {
    point(document, storage);
  }
})();
