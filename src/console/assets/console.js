// The console's only script: small conveniences, nothing a page needs to work.
'use strict';
document.addEventListener('DOMContentLoaded', function () {
  // <button data-copy="#id">: copies the text of an element (JSON, an API call).
  document.querySelectorAll('button[data-copy]').forEach(function (button) {
    button.addEventListener('click', function () {
      var target = document.querySelector(button.getAttribute('data-copy'));
      if (!target || !navigator.clipboard) return;
      navigator.clipboard.writeText(target.textContent || '').then(function () {
        var label = button.textContent;
        button.textContent = 'Copied';
        setTimeout(function () { button.textContent = label; }, 1200);
      });
    });
  });
  // <input list="…" data-suggest="/console/…?q=">: the datalist follows the subscriber search as the user types.
  document.querySelectorAll('input[data-suggest]').forEach(function (input) {
    var list = input.list;
    var timer;
    input.addEventListener('input', function () {
      clearTimeout(timer);
      var q = input.value.trim();
      if (!list || q === '') return;
      timer = setTimeout(function () {
        fetch(input.getAttribute('data-suggest') + '?q=' + encodeURIComponent(q), { credentials: 'same-origin' })
          .then(function (answer) { return answer.ok ? answer.json() : { subscribers: [] }; })
          .then(function (body) {
            if (input.value.trim() !== q) return; // a later keystroke asks again
            list.replaceChildren.apply(list, body.subscribers.map(function (match) {
              var option = document.createElement('option');
              option.value = match.id;
              option.textContent = match.firstName + ' · ' + match.locale + ' · ' + match.timeZone;
              return option;
            }));
          })
          .catch(function () { /* suggestions are a convenience: the form still works */ });
      }, 200);
    });
  });
  // <select data-autosubmit>: a filter form submits when its choice changes.
  document.querySelectorAll('select[data-autosubmit]').forEach(function (select) {
    select.addEventListener('change', function () { if (select.form) select.form.requestSubmit(); });
  });
});
