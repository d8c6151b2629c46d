// Subscribe form: fill in the reader's own time zone while the field still says UTC.
(function () {
  var tz = document.getElementById("timezone");
  try {
    if (tz && tz.value === "UTC") tz.value = Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";
  } catch (e) { /* an old browser keeps UTC */ }
})();
