// Live updates and in-browser signing for shuttle's pages. The pages work
// without this script: it only saves the reader from reloading and from
// signing with a separate tool.
"use strict";

(function () {
  const live = document.getElementById("live");
  if (!live || !window.EventSource) return;
  const status = document.getElementById("livestatus");
  let after = live.dataset.after || "0";
  let timer = null;
  let pending = false;

  // A form the reader has begun to change is not replaced under them,
  // focused or not: it holds their edits until they send it. Nor is the
  // page replaced while a button is held down, which would lose the click.
  let pressed = false;
  function editing() {
    const a = document.activeElement;
    return pressed || live.querySelector("form[data-edited]") !== null ||
      a && live.contains(a) && /^(INPUT|SELECT|TEXTAREA)$/.test(a.tagName) && a.type !== "hidden";
  }
  live.addEventListener("input", (e) => { if (e.target.form) e.target.form.dataset.edited = "1"; });
  live.addEventListener("pointerdown", () => { pressed = true; });
  document.addEventListener("pointerup", () => {
    pressed = false;
    if (pending && !timer) timer = setTimeout(refresh, 300);
  });

  async function refresh() {
    timer = null;
    if (editing()) {
      pending = true;
      status.textContent = "New events: the page will update when you are done editing.";
      return;
    }
    pending = false;
    const resp = await fetch(location.pathname, { credentials: "same-origin", headers: { "Accept": "text/html" } });
    if (!resp.ok) return;
    const doc = new DOMParser().parseFromString(await resp.text(), "text/html");
    const fresh = doc.getElementById("live");
    if (!fresh) return;
    // The reader may have begun something while the page was fetched.
    if (editing()) {
      pending = true;
      return;
    }
    // A details element is known by its summary and the event it is in.
    const key = (d) => (d.closest("li")?.querySelector(".seq")?.textContent || "") + (d.querySelector("summary")?.textContent || "");
    const was = new Map([...live.querySelectorAll("details")].map((d) => [key(d), d.open]));
    // A form marked data-keep keeps what its reader changed in it.
    const kept = [...live.querySelectorAll("form[data-keep][data-changed]")].map((f) => [f.id, new FormData(f)]);
    live.innerHTML = fresh.innerHTML;
    for (const [id, data] of kept) keep(document.getElementById(id), data);
    live.dataset.after = fresh.dataset.after;
    for (const d of live.querySelectorAll("details")) {
      if (was.has(key(d))) d.open = was.get(key(d));
    }
    document.getElementById("livestatus").textContent = "Updated " + new Date().toLocaleTimeString() + ".";
    setupSigning();
  }

  live.addEventListener("focusout", () => { if (pending && !timer) timer = setTimeout(refresh, 300); });
  live.addEventListener("change", (e) => { if (e.target.form) e.target.form.dataset.changed = "1"; });

  function keep(form, data) {
    if (!form) return;
    form.dataset.changed = "1";
    for (const el of form.elements) {
      if (!el.name || el.type === "hidden") continue;
      if (el.type === "checkbox" || el.type === "radio") el.checked = data.getAll(el.name).includes(el.value);
      else if (data.has(el.name)) el.value = data.get(el.name);
    }
  }

  function schedule() { if (!timer) timer = setTimeout(refresh, 150); }

  // The stream names each event by its kind, and EventSource cannot listen
  // to every name at once, so the stream is read and split here.
  async function follow() {
    try {
      const resp = await fetch(live.dataset.stream + "?after=" + encodeURIComponent(after), { credentials: "same-origin" });
      if (!resp.ok || !resp.body) throw new Error("status " + resp.status);
      status.textContent = "Live: the page updates by itself.";
      const reader = resp.body.pipeThrough(new TextDecoderStream()).getReader();
      let buf = "";
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buf += value;
        let cut;
        while ((cut = buf.indexOf("\n\n")) >= 0) {
          const block = buf.slice(0, cut);
          buf = buf.slice(cut + 2);
          const id = /^id: (\d+)$/m.exec(block);
          if (id) { after = id[1]; schedule(); }
        }
      }
    } catch (e) {
      status.textContent = "Live updates interrupted; retrying…";
    }
    setTimeout(follow, 2000);
  }
  follow();
})();

// setupSigning offers to make an Ed25519 key in the browser and sign the
// agreement statement with it, where WebCrypto supports Ed25519.
function setupSigning() {
  const form = document.getElementById("sign-form");
  const btn = document.getElementById("keygen");
  if (!form || !btn || !window.crypto?.subtle) return;
  btn.hidden = false;
  btn.addEventListener("click", async () => {
    try {
      const stmt = Uint8Array.from(atob(form.dataset.statement), (c) => c.charCodeAt(0));
      const kp = await crypto.subtle.generateKey({ name: "Ed25519" }, true, ["sign", "verify"]);
      const pub = new Uint8Array(await crypto.subtle.exportKey("raw", kp.publicKey));
      const sig = new Uint8Array(await crypto.subtle.sign({ name: "Ed25519" }, kp.privateKey, stmt));
      const b64 = (u) => btoa(String.fromCharCode(...u));
      form.elements.public_key.value = b64(pub);
      form.elements.signature.value = b64(sig);
      form.requestSubmit();
    } catch (e) {
      btn.insertAdjacentText("afterend", " This browser cannot make Ed25519 keys (" + e.message + "); sign the statement with your own tool.");
    }
  });
}
document.addEventListener("DOMContentLoaded", setupSigning);
