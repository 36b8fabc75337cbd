// Plaudit's flattr button for any web page. Put a placeholder link where
// the button goes and load this script:
//
//   <a class="plaudit-button" href="https://plaudit.example/flattr?url=PAGE" data-url="PAGE">Flattr this</a>
//   <script async src="https://plaudit.example/static/button.js"></script>
//
// The script replaces every such link with the button's frame, served by
// the Plaudit server the link's href points at. data-url is the page
// flattred (default: the href's url parameter, then the page's canonical
// link, then its address). It loads nothing else and sets no cookie.
(function () {
  'use strict';

  // frameSource is the address of the button's frame for a placeholder
  // whose href is href, flattring page; "" when href is no http(s) URL.
  function frameSource(href, page) {
    var m = /^(https?:\/\/[^\/?#]+)/i.exec(href || '');
    if (!m || !page) {
      return '';
    }
    return m[1] + '/button?url=' + encodeURIComponent(page);
  }

  // pageOf is the page a placeholder flattrs.
  function pageOf(a, doc) {
    var u = a.getAttribute('data-url');
    if (u) {
      return u;
    }
    var q = /[?&]url=([^&#]*)/.exec(a.getAttribute('href') || '');
    if (q) {
      return decodeURIComponent(q[1].replace(/\+/g, ' '));
    }
    var canon = doc.querySelector('link[rel="canonical"]');
    return canon ? canon.href : String(doc.location.href).split('#')[0];
  }

  function replaceAll(doc) {
    var links = doc.querySelectorAll('a.plaudit-button');
    for (var i = 0; i < links.length; i++) {
      var a = links[i];
      var src = frameSource(a.getAttribute('href'), pageOf(a, doc));
      if (!src) {
        continue;
      }
      var f = doc.createElement('iframe');
      f.src = src;
      f.title = a.getAttribute('title') || 'Flattr this on Plaudit';
      f.width = a.getAttribute('data-width') || '150';
      f.height = a.getAttribute('data-height') || '36';
      f.setAttribute('loading', 'lazy');
      f.setAttribute('scrolling', 'no');
      f.className = 'plaudit-button-frame';
      f.style.border = '0';
      f.style.overflow = 'hidden';
      a.parentNode.replaceChild(f, a);
    }
  }

  if (typeof module !== 'undefined' && module.exports) {
    module.exports = { frameSource: frameSource, pageOf: pageOf, replaceAll: replaceAll };
    return;
  }
  window.Plaudit = window.Plaudit || {};
  // Pages that add placeholders later call Plaudit.buttons().
  window.Plaudit.buttons = function () { replaceAll(document); };
  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', window.Plaudit.buttons);
  } else {
    window.Plaudit.buttons();
  }
})();
