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
  // <select data-autosubmit>: a filter form submits when its choice changes.
  document.querySelectorAll('select[data-autosubmit]').forEach(function (select) {
    select.addEventListener('change', function () { if (select.form) select.form.requestSubmit(); });
  });
});
