// Job page: the storyboard editor. A job made with "review" stops after planning; here its
// owner changes the plan (the plan API keeps each save as a revision), listens to a scene's
// narration, and renders the video. It follows the job through the events job-progress.js
// passes on, so it appears when the plan can be edited and reloads when another tab saves.
(function () {
  "use strict";
  const root = document.getElementById("storyboard");
  const jobRoot = document.getElementById("job");
  if (!root || !jobRoot) return;
  const apiUrl = jobRoot.dataset.api;
  const mediaUrl = apiUrl.replace(/\/jobs\/[^/]+$/, "/media");
  const csrf = root.dataset.csrf;
  const form = document.getElementById("sb-form");
  const list = document.getElementById("sb-scenes");
  const template = document.getElementById("sb-scene-template");
  // The same estimate as the plan API's (pipeline/storyboard.py): a scene lasts its words at
  // a usual pace (the job's speaking rate), plus a gap: the narration sets a scene's length.
  const WORDS_PER_SECOND = 2.5;
  const SCENE_GAP_SECONDS = 0.35;

  let job = JSON.parse(document.getElementById("job-data").textContent);
  let loaded = null; // the last plan document read or saved: {revision, editable, plan, ...}
  let baseline = ""; // the form's state when it was loaded or saved, to tell unsaved changes
  let saving = false;
  let loading = null;
  let followedStatus = null;

  const $ = (id) => document.getElementById(id);
  const can = (action) => (job.actions || []).includes(action);

  async function api(path, method, payload) {
    const options = {
      method: method || "GET",
      credentials: "same-origin",
      headers: { "X-CSRFToken": csrf, Accept: "application/json" },
    };
    if (payload !== undefined) {
      options.headers["Content-Type"] = "application/json";
      options.body = JSON.stringify(payload);
    }
    return fetch(apiUrl + path, options);
  }

  async function bodyOf(response) {
    return response.json().catch(() => ({}));
  }

  function detailOf(body, fallback) {
    if (body && typeof body.detail === "string") return body.detail;
    return fallback;
  }

  function status(text) {
    $("sb-status").textContent = text || "";
  }

  function notice(text) {
    $("sb-notice").hidden = !text;
    $("sb-notice-text").textContent = text || "";
  }

  // --- reading and writing the form ------------------------------------------------------
  function words(text) {
    return (text.match(/[\p{L}\p{N}_]+/gu) || []).length;
  }

  function sceneSeconds(card) {
    const rate = Math.max(Number((job.options || {}).speaking_rate) || 1, 0.1);
    const spoken = words(field(card, "narration").value) / (WORDS_PER_SECOND * rate);
    return spoken + SCENE_GAP_SECONDS;
  }

  function clock(seconds) {
    const whole = Math.round(seconds);
    return Math.floor(whole / 60) + ":" + String(whole % 60).padStart(2, "0");
  }

  function updateTotals() {
    let total = 0;
    cards().forEach((card) => {
      const seconds = sceneSeconds(card);
      total += seconds;
      card.querySelector("[data-estimate]").textContent = "about " + seconds.toFixed(1) + " s";
    });
    $("sb-total").querySelector("strong").textContent = clock(total);
    $("sb-total").dataset.seconds = total.toFixed(1);
  }

  function cards() {
    return Array.from(list.querySelectorAll(":scope > .sb-scene"));
  }

  function field(card, name) {
    return card.querySelector('[data-field="' + name + '"]');
  }

  function splitList(text, separator) {
    return text.split(separator).map((item) => item.trim()).filter(Boolean);
  }

  function addCard(scene) {
    const card = template.content.firstElementChild.cloneNode(true);
    card.sceneData = scene;
    field(card, "narration").value = scene.narration || "";
    field(card, "on_screen_text").value = scene.on_screen_text || "";
    field(card, "formula").value = scene.formula || "";
    field(card, "search_terms").value = (scene.search_terms || []).join(", ");
    field(card, "bullets").value = (scene.bullets || []).join("\n");
    field(card, "image_prompt").value = scene.image_prompt || "";
    field(card, "visual").value = JSON.stringify(scene.visual || { type: "bullets" }, null, 1);
    field(card, "asset").value = scene.asset || "";
    list.appendChild(card);
    return card;
  }

  // Numbers, label targets and what each scene's buttons may do follow the order of the cards.
  function renumber() {
    const all = cards();
    all.forEach((card, index) => {
      card.dataset.index = String(index);
      card.querySelector("[data-number]").textContent = String(index + 1);
      card.querySelectorAll("[data-field]").forEach((input) => {
        input.id = "sb-scene-" + index + "-" + input.dataset.field;
      });
      card.querySelectorAll("label[data-for]").forEach((label) => {
        label.htmlFor = "sb-scene-" + index + "-" + label.dataset.for;
      });
      card.querySelector('[data-action="up"]').disabled = index === 0;
      card.querySelector('[data-action="down"]').disabled = index === all.length - 1;
      card.querySelector('[data-action="remove"]').disabled = all.length === 1;
      let visual = {};
      try {
        visual = JSON.parse(field(card, "visual").value);
      } catch (error) {
        visual = {};
      }
      card.querySelector("[data-visual-type]").textContent = visual && visual.type ? visual.type : "";
      showPicture(card);
    });
    updateTotals();
  }

  function fill(documentJson) {
    loaded = documentJson;
    const plan = documentJson.plan;
    form.querySelector('[data-plan-field="title"]').value = plan.title || "";
    form.querySelector('[data-plan-field="summary"]').value = plan.summary || "";
    $("sb-plan-notice").textContent = plan.notice || "";
    $("sb-plan-notice").hidden = !plan.notice;
    list.replaceChildren();
    (plan.scenes || []).forEach((scene, index) => {
      addCard(scene).dataset.savedIndex = String(index);
    });
    const youtube = plan.youtube;
    $("sb-youtube").hidden = !youtube;
    if (youtube) {
      $("sb-yt-title").value = youtube.title || "";
      $("sb-yt-description").value = youtube.description || "";
      $("sb-yt-tags").value = (youtube.tags || []).join(", ");
      $("sb-yt-chapters").value = (youtube.chapters || [])
        .map((chapter) => chapter.start_scene + 1 + " " + chapter.title)
        .join("\n");
    }
    renumber();
    clearErrors();
    setEditable(documentJson.editable !== false);
    const author = documentJson.author ? " by " + documentJson.author : "";
    $("sb-revision").textContent = "Revision " + documentJson.revision + author + ".";
    baseline = state();
    form.hidden = false;
    $("sb-loading").hidden = true;
    notice("");
    status("");
  }

  function setEditable(editable) {
    form.querySelectorAll("input, textarea, button").forEach((element) => {
      if (element.id !== "sb-render") element.disabled = !editable;
    });
    if (editable) renumber();
  }

  // Everything a person can change, as text: equal states mean nothing is unsaved.
  function state() {
    // The scenes' fields come in the cards' order, so moving a scene changes it too.
    const inputs = form.querySelectorAll("input:not([data-look]):not([type=file]), textarea");
    return JSON.stringify(Array.from(inputs, (input) => input.value));
  }

  function dirty() {
    return loaded !== null && state() !== baseline;
  }

  // The plan as the form now has it, or the problems that keep it from being sent.
  function collect() {
    const problems = {};
    const plan = Object.assign({}, loaded.plan, {
      title: form.querySelector('[data-plan-field="title"]').value,
      summary: form.querySelector('[data-plan-field="summary"]').value,
    });
    plan.scenes = cards().map((card, index) => {
      let visual;
      try {
        visual = JSON.parse(field(card, "visual").value || "{}");
      } catch (error) {
        problems["scenes[" + index + "].visual"] = ["is not valid JSON: " + error.message];
      }
      return Object.assign({}, card.sceneData, {
        narration: field(card, "narration").value,
        on_screen_text: field(card, "on_screen_text").value,
        formula: field(card, "formula").value,
        search_terms: splitList(field(card, "search_terms").value, ","),
        bullets: splitList(field(card, "bullets").value, "\n"),
        image_prompt: field(card, "image_prompt").value,
        visual: visual,
        asset: field(card, "asset").value,
      });
    });
    if (loaded.plan.youtube) {
      const chapters = [];
      splitList($("sb-yt-chapters").value, "\n").forEach((line) => {
        const match = line.match(/^(\d+)[\s:.)-]+(.+)$/);
        if (match) chapters.push({ start_scene: Number(match[1]) - 1, title: match[2].trim() });
        else problems["youtube.chapters"] = ["write each chapter as a scene number, then its title"];
      });
      plan.youtube = Object.assign({}, loaded.plan.youtube, {
        title: $("sb-yt-title").value,
        description: $("sb-yt-description").value,
        tags: splitList($("sb-yt-tags").value, ","),
        chapters: chapters,
      });
    }
    return { plan: plan, problems: problems };
  }

  // --- a scene's picture ---------------------------------------------------------------
  // Generators that choose a picture or clip per scene (the plan document's `pictures` is a
  // list) let the person pick one from their library or stock, or upload one: it becomes the
  // scene's `asset`, saved with the plan and shown by every render. Without a choice the
  // render picks the best match, and the card says what the last render showed.
  const itemNames = {}; // library item id -> {name, thumbnail_url}, as learned from the API

  function remember(item) {
    itemNames[item.id] = { name: item.original_name || item.kind, thumbnail: item.thumbnail_url };
  }

  function showPicture(card) {
    const section = card.querySelector("[data-picture]");
    const pictures = loaded && loaded.pictures;
    section.hidden = !Array.isArray(pictures);
    if (section.hidden) return;
    const asset = field(card, "asset").value;
    const thumb = card.querySelector("[data-picture-thumb]");
    const label = card.querySelector("[data-picture-label]");
    card.querySelector('[data-action="automatic"]').hidden = !asset;
    let image = null;
    if (asset) {
      const known = itemNames[asset];
      label.textContent = "Chosen: " + (known ? known.name : "an item of your library") + ".";
      image = known ? known.thumbnail : mediaUrl + "/" + asset + "/thumbnail";
      if (!known) learn(asset, card);
    } else {
      const last = card.dataset.savedIndex !== undefined ? pictures[Number(card.dataset.savedIndex)] : null;
      if (last && last.item) {
        label.textContent = "Last render: " + (last.name || last.kind) + ". " + (last.reason || "");
        image = last.thumbnail_url;
      } else if (last) {
        label.textContent = "Last render: drawn. " + (last.reason || "");
      } else {
        label.textContent = "Chosen when the video is made: the best match from your library" +
          " or stock, else drawn from the scene's words.";
      }
    }
    thumb.hidden = !image;
    if (image) thumb.src = image;
    else thumb.removeAttribute("src");
  }

  async function learn(id, card) {
    const response = await fetch(mediaUrl + "/" + id, { credentials: "same-origin" });
    if (!response.ok) return;
    remember(await response.json());
    if (card.isConnected) showPicture(card);
  }

  function pictureError(card, text) {
    const slot = card.querySelector('[data-error-for="asset"]');
    slot.replaceChildren();
    if (text) {
      const line = document.createElement("p");
      line.textContent = text;
      slot.appendChild(line);
    }
  }

  function choose(card, item) {
    remember(item);
    field(card, "asset").value = item.id;
    pictureError(card, "");
    closeCandidates(card);
    showPicture(card);
    status("Scene " + (Number(card.dataset.index) + 1) + "'s picture changed: save to keep it.");
  }

  function closeCandidates(card) {
    card.querySelector("[data-candidates]").hidden = true;
    card.querySelector('[data-action="choose"]').setAttribute("aria-expanded", "false");
  }

  function candidateButton(text, image, onChoose) {
    const item = document.createElement("li");
    const button = document.createElement("button");
    button.type = "button";
    button.className = "sb-candidate";
    if (image) {
      const img = document.createElement("img");
      img.src = image;
      img.alt = "";
      img.loading = "lazy";
      button.appendChild(img);
    }
    const caption = document.createElement("span");
    caption.textContent = text;
    button.appendChild(caption);
    button.addEventListener("click", onChoose);
    item.appendChild(button);
    return item;
  }

  async function candidates(card, words) {
    const panel = card.querySelector("[data-candidates]");
    const note = card.querySelector("[data-candidates-status]");
    const listing = card.querySelector("[data-candidate-list]");
    panel.hidden = false;
    card.querySelector('[data-action="choose"]').setAttribute("aria-expanded", "true");
    listing.replaceChildren();
    if (card.dataset.savedIndex === undefined && !words) {
      note.textContent = "Type what the picture should show, or save the storyboard first.";
      return;
    }
    note.textContent = "Looking…";
    const index = card.dataset.savedIndex !== undefined ? card.dataset.savedIndex : 0;
    const query = words ? "?q=" + encodeURIComponent(words) : "";
    const response = await api("/scenes/" + index + "/candidates" + query);
    const body = await bodyOf(response);
    if (!response.ok) {
      note.textContent = detailOf(body, "The candidates could not be loaded.");
      return;
    }
    const current = field(card, "asset").value;
    (body.library || []).forEach((candidate) => {
      const item = candidate.item;
      if (item.id === current) return;
      listing.appendChild(
        candidateButton(item.original_name + " — " + candidate.reason, item.thumbnail_url, () => choose(card, item))
      );
    });
    (body.stock || []).forEach((hit) => {
      const what = hit.kind === "video" ? "clip" : "photo";
      const text = hit.provider + " " + what + " by " + hit.author + " (" + hit.width + "×" + hit.height + ")";
      listing.appendChild(candidateButton(text, null, () => keep(card, hit)));
    });
    const searched = (body.queries || []).join(", ");
    note.textContent = listing.children.length
      ? "Pick one" + (searched ? " (looked for " + searched + ")" : "") + "."
      : "Nothing else matches " + (searched || "this scene") + (body.stock_configured ? "." : " in your library.") +
        " Upload a picture or clip, or look for other words.";
  }

  async function keep(card, hit) {
    const note = card.querySelector("[data-candidates-status]");
    note.textContent = "Adding it to your library…";
    const response = await fetch(mediaUrl + "/stock", {
      method: "POST",
      credentials: "same-origin",
      headers: { "X-CSRFToken": csrf, Accept: "application/json", "Content-Type": "application/json" },
      body: JSON.stringify({ key: hit.key, query: hit.query }),
    });
    const body = await bodyOf(response);
    if (response.ok) choose(card, body);
    else note.textContent = [].concat(body.key || detailOf(body, "It could not be added.")).join(" ");
  }

  async function uploadPicture(card, input) {
    const file = input.files && input.files[0];
    if (!file) return;
    const data = new FormData();
    data.append("file", file);
    data.append("tags", field(card, "search_terms").value);
    pictureError(card, "");
    status("Uploading " + file.name + "…");
    try {
      const response = await fetch(mediaUrl, {
        method: "POST",
        credentials: "same-origin",
        headers: { "X-CSRFToken": csrf, Accept: "application/json" },
        body: data,
      });
      const body = await bodyOf(response);
      if (response.ok) {
        choose(card, body);
      } else {
        pictureError(card, [].concat(body.file || body.tags || detailOf(body, "The upload was refused.")).join(" "));
        status("");
      }
    } finally {
      input.value = "";
    }
  }

  // --- errors ----------------------------------------------------------------------------
  function clearErrors() {
    root.querySelectorAll("[data-error-for]").forEach((slot) => {
      slot.replaceChildren();
      const holder = slot.closest(".field");
      if (holder) holder.classList.remove("field-error");
    });
    $("sb-errors").hidden = true;
    $("sb-errors").replaceChildren();
  }

  // Where a message for a path of the plan goes: "scenes[2].narration" beside that card's
  // narration, "scenes[0].bullets[1]" beside its bullets ("line 2: …"), "youtube.title"
  // beside the YouTube title, "title" beside the plan's; anything else above the form.
  function placeFor(path) {
    let match = path.match(/^scenes\[(\d+)\](?:\.(\w+))?(.*)$/);
    if (match) {
      const card = cards()[Number(match[1])];
      const slot = card && card.querySelector('[data-error-for="' + (match[2] || "") + '"]');
      if (slot) return { slot: slot, prefix: where(match[2], match[3]) };
      if (card) return { slot: card.querySelector('[data-error-for=""]'), prefix: path.replace(/^scenes\[\d+\]\.?/, "") };
      return null;
    }
    match = path.match(/^youtube\.(\w+)(.*)$/);
    if (match) {
      const slot = root.querySelector('[data-error-for="youtube.' + match[1] + '"]');
      return slot && { slot: slot, prefix: where(match[1], match[2]) };
    }
    const slot = form.querySelector('[data-plan-error="' + path + '"]');
    return slot && { slot: slot, prefix: "" };
  }

  function where(name, rest) {
    if (!rest) return "";
    const item = rest.match(/^\[(\d+)\]\.?(.*)$/);
    if (!item) return rest.replace(/^\./, "") + ": ";
    const noun = ["bullets", "chapters"].includes(name) ? "line " : "item ";
    return noun + (Number(item[1]) + 1) + (item[2] ? " " + item[2] : "") + ": ";
  }

  function showErrors(errors) {
    clearErrors();
    let first = null;
    Object.entries(errors).forEach(([path, messages]) => {
      [].concat(messages).forEach((message) => {
        const line = document.createElement("p");
        const place = placeFor(path);
        if (place) {
          line.textContent = (place.prefix ? place.prefix.replace(/:?\s*$/, ": ") : "") + message;
          place.slot.appendChild(line);
          const holder = place.slot.closest(".field");
          if (holder) holder.classList.add("field-error");
          first = first || place.slot;
        } else {
          line.textContent = (path === "$" ? "" : path + ": ") + message;
          $("sb-errors").appendChild(line);
          $("sb-errors").hidden = false;
        }
      });
    });
    const target = $("sb-errors").hidden ? first : $("sb-errors");
    if (target) {
      const details = target.closest("details");
      if (details) details.open = true;
      target.scrollIntoView({ block: "center" });
    }
  }

  // --- talking to the server -------------------------------------------------------------
  async function load() {
    if (loading) return loading;
    loading = (async () => {
      const response = await api("/plan");
      const body = await bodyOf(response);
      if (response.ok) {
        fill(body);
        root.hidden = !can("edit");
      } else if (response.status === 404) {
        root.hidden = true; // no plan (yet): a job stopped before its planning stage
      } else {
        $("sb-loading").textContent = detailOf(body, "The storyboard could not be loaded.");
        $("sb-loading").hidden = false;
        root.hidden = false;
      }
    })().finally(() => {
      loading = null;
    });
    return loading;
  }

  async function save() {
    const { plan, problems } = collect();
    if (Object.keys(problems).length) {
      showErrors(problems);
      status("Not saved: see the messages beside the fields.");
      return false;
    }
    saving = true;
    status("Saving…");
    try {
      const response = await api("/plan", "PUT", { revision: loaded.revision, plan: plan });
      const body = await bodyOf(response);
      if (response.ok) {
        fill(body);
        status("Saved.");
        return true;
      }
      if (response.status === 400 && body.plan && typeof body.plan === "object" && !Array.isArray(body.plan)) {
        showErrors(body.plan);
        status("Not saved: see the messages beside the fields.");
      } else if (response.status === 409) {
        status("Not saved.");
        notice(
          detailOf(body, "The storyboard was changed elsewhere.") +
            " Reload it to see the latest version (the changes you made here will be lost)."
        );
      } else {
        showErrors(response.status === 400 ? body : { $: [detailOf(body, "The storyboard could not be saved.")] });
        status("Not saved.");
      }
      return false;
    } finally {
      saving = false;
    }
  }

  async function post(path, payload) {
    const response = await api(path, "POST", payload);
    if (response.ok) return response;
    const body = await bodyOf(response);
    status(detailOf(body, "That did not work (" + response.status + ")."));
    return null;
  }

  async function render() {
    if (dirty() && !(await save())) return;
    status("Starting the render…");
    if (await post("/render")) status("Rendering. The video appears below when it is ready.");
  }

  async function regenerate(card) {
    if (dirty() && !(await save())) return;
    status("Making scene " + (Number(card.dataset.index) + 1) + " again…");
    if (await post("/scenes/" + card.dataset.index + "/regenerate")) {
      status("Rendering with a new picture for scene " + (Number(card.dataset.index) + 1) + ".");
    }
  }

  async function listen(card, button) {
    const audio = card.querySelector("[data-audio]");
    button.disabled = true;
    button.textContent = "Loading…";
    const slot = card.querySelector('[data-error-for=""]');
    slot.replaceChildren();
    // The words are sent with the request: a scene added since the last save is heard too.
    try {
      const response = await api("/scenes/" + card.dataset.index + "/listen", "POST", {
        narration: field(card, "narration").value,
      });
      if (!response.ok) {
        const body = await bodyOf(response);
        const line = document.createElement("p");
        const messages = body.narration || body.detail || "The narration could not be made.";
        line.textContent = [].concat(messages).join(" ");
        slot.appendChild(line);
        return;
      }
      const blob = await response.blob();
      if (audio.src) URL.revokeObjectURL(audio.src);
      audio.src = URL.createObjectURL(blob);
      audio.hidden = false;
      audio.play().catch(() => {});
    } finally {
      button.disabled = false;
      button.textContent = "Listen";
    }
  }

  // --- following the job -----------------------------------------------------------------
  // Shown while the plan may be edited and there is one. A job that has just become
  // editable (planned and paused, or finished rendering) is read again unless this page has
  // unsaved changes.
  function follow(next) {
    const changed = next.status !== followedStatus;
    followedStatus = next.status;
    job = next;
    $("sb-render").hidden = !can("render");
    if (!can("edit")) {
      root.hidden = true;
    } else if (changed && (!loaded || !dirty())) {
      load();
    } else if (loaded) {
      root.hidden = false;
      newer(job.plan_revision || 0, "");
    }
  }

  // A revision saved elsewhere (another tab, another device): taken at once when nothing
  // here is unsaved, else the person is told and chooses.
  function newer(revision, author) {
    if (saving || loading || !loaded || revision <= loaded.revision) return;
    if (!dirty()) {
      load();
      return;
    }
    notice(
      (author || "Someone") + " saved a newer version of this storyboard (revision " + revision +
        ") elsewhere, and you have unsaved changes here. Reload to see the new version " +
        "(your changes here will be lost)."
    );
  }

  jobRoot.addEventListener("job:snapshot", (event) => follow(event.detail.job));
  jobRoot.addEventListener("job:event", (event) => {
    const { event: jobEvent, job: next } = event.detail;
    if (jobEvent.type === "plan_updated") {
      const payload = jobEvent.payload || {};
      next.plan_revision = Math.max(next.plan_revision || 0, payload.revision || 0);
      job = next;
      newer(payload.revision || 0, payload.author);
      return;
    }
    follow(next);
  });

  list.addEventListener("change", (event) => {
    if (event.target.matches("[data-upload]")) uploadPicture(event.target.closest(".sb-scene"), event.target);
  });
  list.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && event.target.matches("[data-look]")) {
      event.preventDefault();
      candidates(event.target.closest(".sb-scene"), event.target.value.trim());
    }
  });
  form.addEventListener("input", (event) => {
    if (event.target.dataset.field === "visual") renumber();
    else updateTotals();
  });
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    save();
  });
  $("sb-render").addEventListener("click", render);
  $("sb-reload").addEventListener("click", () => load());
  $("sb-add").addEventListener("click", () => {
    const card = addCard({ narration: "", visual: { type: "bullets" } });
    renumber();
    field(card, "narration").focus();
  });
  list.addEventListener("click", (event) => {
    const button = event.target.closest("button[data-action]");
    if (!button) return;
    const card = button.closest(".sb-scene");
    const action = button.dataset.action;
    if (action === "up" && card.previousElementSibling) card.previousElementSibling.before(card);
    if (action === "down" && card.nextElementSibling) card.nextElementSibling.after(card);
    if (action === "remove") card.remove();
    if (action === "listen") listen(card, button);
    if (action === "regenerate") regenerate(card);
    if (action === "choose") {
      if (card.querySelector("[data-candidates]").hidden) candidates(card, "");
      else closeCandidates(card);
    }
    if (action === "look") candidates(card, card.querySelector("[data-look]").value.trim());
    if (action === "automatic") {
      field(card, "asset").value = "";
      showPicture(card);
    }
    if (["up", "down", "remove"].includes(action)) {
      renumber();
      if (action !== "remove") button.focus();
    }
  });
  window.addEventListener("beforeunload", (event) => {
    if (!root.hidden && dirty()) event.preventDefault();
  });

  follow(job);
})();
