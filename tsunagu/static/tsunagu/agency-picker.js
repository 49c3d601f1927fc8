/*
 * Agency picker: a text field per form row that finds an agency by part of its name or of
 * its reading (katakana or hiragana, full or half width), from one <datalist> the page
 * sends once. Usage:
 *
 *   <input name="x_source" list="agencies" data-agency-picker aria-describedby="help">
 *   <datalist id="agencies"><option value="名称" data-kana="メイショウ">…</datalist>
 *
 * Without this script the field still works as a plain input with the browser's own
 * suggestions. With it, each field becomes an ARIA 1.2 combobox with one shared listbox:
 * typing filters, ↓/↑ move, Enter picks, Escape closes (or clears when already closed),
 * and a polite live region tells how many agencies match. The field sends the label; the
 * server accepts only a label of its list (or leaves the source empty).
 */
(function () {
  "use strict";

  var MAX_HEIGHT = "16rem";

  // NFKC (half-width kana, full-width letters), hiragana -> katakana, no spaces, lower case
  function key(text) {
    var s = String(text || "").normalize("NFKC").toLowerCase();
    s = s.replace(/[\u3041-\u3096]/g, function (c) {
      return String.fromCharCode(c.charCodeAt(0) + 0x60);
    });
    return s.replace(/[\s\u30fb･・]/g, "");
  }

  function optionsOf(datalist) {
    return Array.prototype.map.call(datalist.querySelectorAll("option"), function (option) {
      var label = option.value;
      var kana = option.dataset.kana || "";
      return { label: label, kana: kana, key: key(label) + "\n" + key(kana) };
    });
  }

  function matching(options, query) {
    var words = String(query || "").split(/[\s\u3000]+/).map(key).filter(Boolean);
    if (!words.length) return options.slice();
    return options.filter(function (option) {
      return words.every(function (word) { return option.key.indexOf(word) !== -1; });
    });
  }

  function setUp(datalist) {
    var options = optionsOf(datalist);
    var LISTBOX_ID = datalist.id + "-listbox";
    var inputs = document.querySelectorAll('input[data-agency-picker][list="' + datalist.id + '"]');
    if (!inputs.length) return;

    var listbox = document.createElement("ul");
    listbox.id = LISTBOX_ID;
    listbox.setAttribute("role", "listbox");
    listbox.setAttribute("aria-label", "情報元の機関の候補");
    listbox.className = "list-group position-absolute start-0 end-0 shadow overflow-auto";
    listbox.style.maxHeight = MAX_HEIGHT;
    listbox.style.zIndex = "1050";
    listbox.hidden = true;
    listbox.dataset.testid = "agency-picker-listbox";

    var status = document.createElement("div");
    status.className = "visually-hidden";
    status.setAttribute("role", "status");
    status.setAttribute("aria-live", "polite");
    document.body.appendChild(status);

    var current = null; // the input the listbox belongs to
    var shown = [];
    var active = -1;

    function announce(text) {
      status.textContent = text;
    }

    function close() {
      if (!current) return;
      current.setAttribute("aria-expanded", "false");
      current.removeAttribute("aria-activedescendant");
      listbox.hidden = true;
      active = -1;
    }

    function highlight(index) {
      var items = listbox.querySelectorAll('[role="option"]');
      items.forEach(function (item, i) {
        var on = i === index;
        item.classList.toggle("active", on);
        item.setAttribute("aria-selected", on ? "true" : "false");
      });
      active = index;
      if (index >= 0 && items[index]) {
        current.setAttribute("aria-activedescendant", items[index].id);
        items[index].scrollIntoView({ block: "nearest" });
      } else {
        current.removeAttribute("aria-activedescendant");
      }
    }

    function open(input) {
      if (current !== input) {
        close();
        current = input;
        input.parentNode.classList.add("position-relative");
        input.insertAdjacentElement("afterend", listbox);
      }
      shown = matching(options, input.value);
      listbox.textContent = "";
      if (!shown.length) {
        var none = document.createElement("li");
        none.className = "list-group-item small text-body-secondary";
        none.setAttribute("role", "option");
        none.setAttribute("aria-disabled", "true");
        none.id = LISTBOX_ID + "-none";
        none.textContent = "該当する機関はありません";
        listbox.appendChild(none);
      }
      shown.forEach(function (option, i) {
        var item = document.createElement("li");
        item.id = LISTBOX_ID + "-" + i;
        item.className = "list-group-item list-group-item-action py-1";
        item.setAttribute("role", "option");
        item.setAttribute("aria-selected", "false");
        item.dataset.index = String(i);
        item.textContent = option.label;
        if (option.kana) {
          var reading = document.createElement("small");
          reading.className = "d-block text-body-secondary agency-picker-kana";
          reading.textContent = option.kana;
          item.appendChild(reading);
        }
        listbox.appendChild(item);
      });
      listbox.hidden = false;
      input.setAttribute("aria-expanded", "true");
      active = -1;
      input.removeAttribute("aria-activedescendant");
      announce(shown.length ? shown.length + "件の機関が候補です。" : "該当する機関はありません。");
    }

    function pick(index) {
      var option = shown[index];
      if (!option || !current) return;
      current.value = option.label;
      current.dispatchEvent(new Event("change", { bubbles: true }));
      announce(option.label + "を選びました。");
      close();
    }

    // a click on an option must not blur the input first
    listbox.addEventListener("mousedown", function (event) { event.preventDefault(); });
    listbox.addEventListener("click", function (event) {
      var item = event.target.closest('[role="option"]');
      if (item && item.dataset.index !== undefined) pick(Number(item.dataset.index));
    });

    inputs.forEach(function (input) {
      input.removeAttribute("list"); // the listbox replaces the browser's suggestions
      input.setAttribute("role", "combobox");
      input.setAttribute("aria-autocomplete", "list");
      input.setAttribute("aria-expanded", "false");
      input.setAttribute("aria-controls", LISTBOX_ID);

      input.addEventListener("input", function () { open(input); });
      input.addEventListener("click", function () {
        if (current !== input || listbox.hidden) open(input);
      });
      input.addEventListener("blur", function () {
        if (current === input) close();
      });
      input.addEventListener("keydown", function (event) {
        var isOpen = current === input && !listbox.hidden;
        switch (event.key) {
          case "ArrowDown":
            event.preventDefault();
            if (!isOpen) { open(input); if (event.altKey) return; }
            if (shown.length) highlight(Math.min(active + 1, shown.length - 1));
            break;
          case "ArrowUp":
            event.preventDefault();
            if (!isOpen) { open(input); }
            if (shown.length) highlight(active <= 0 ? shown.length - 1 : active - 1);
            break;
          case "Enter":
            if (isOpen && active >= 0) {
              event.preventDefault(); // pick, do not submit the form
              pick(active);
            }
            break;
          case "Escape":
            if (isOpen) {
              event.preventDefault();
              close();
            } else if (input.value) {
              event.preventDefault();
              input.value = "";
              announce("情報元の機関を空にしました。");
            }
            break;
          case "Tab":
            close();
            break;
        }
      });
    });
  }

  function start() {
    var seen = {};
    document.querySelectorAll("input[data-agency-picker][list]").forEach(function (input) {
      var id = input.getAttribute("list");
      var datalist = document.getElementById(id);
      if (seen[id] || !datalist || datalist.tagName !== "DATALIST") return;
      seen[id] = true;
      setUp(datalist);
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
