from tsunagu.demo.services import DEMO_PASSWORD


def test_debug(page, sign_in, demo_city):
    log = []
    page.on("response", lambda r: log.append((r.status, r.url, r.headers.get("content-type"))))
    page.on("console", lambda m: log.append(("console", m.type, m.text)))
    page.on("requestfailed", lambda r: log.append(("failed", r.url, r.failure)))
    sign_in("officer", DEMO_PASSWORD)
    page.get_by_test_id("greeting").wait_for()
    page.goto(demo_city.url + "/agencies/")
    for x in log:
        print(x)
    print(page.evaluate("typeof htmx"), page.evaluate("typeof bootstrap"))
