/* Material's search box passes what is typed to lunr, whose query language reads `host:port` as a
 * field (QueryParseError: nothing shown) and `-O2` as "without O2". People paste error text there,
 * not queries: the characters of lunr's syntax become spaces on the way to the search worker (the
 * box keeps showing what was typed). The index splits words on the same characters
 * (kbtools/site/searchsplit.py), so no word is lost. */
(function () {
  "use strict";
  if (typeof Worker === "undefined") return;
  const post = Worker.prototype.postMessage;
  const QUERY = 2;  // Material's message type for a query (its search worker protocol)
  Worker.prototype.postMessage = function (message, ...rest) {
    if (message && message.type === QUERY && typeof message.data === "string") {
      message = { ...message, data: message.data.replace(/[:~^*+\-"\\]/g, " ") };
    }
    return post.call(this, message, ...rest);
  };
})();
