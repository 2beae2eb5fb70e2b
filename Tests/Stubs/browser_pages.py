#!/usr/bin/env python3
"""The web pages as a person uses them, in headless Chromium (Debian's chromium and chromium-driver, PyPI's
selenium): sign in with a read token, find the failing service's reason on the front page, follow it to the
service page and on to the image page, look at every other page, sign out. Saves a PNG of each page and fails
on any console error (a CSP violation or a missing resource shows there).

Usage: browser_pages.py URL READ_TOKEN SCREENSHOT_DIR FAILING_SERVICE COST_QUERY"""
import json
import os
import sys

from selenium import webdriver
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

url, token, shots, failing, cost_query = sys.argv[1:6]
os.makedirs(shots, exist_ok=True)
options = Options()
options.binary_location = "/usr/bin/chromium"
for argument in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1400,1000"):
    options.add_argument(argument)
options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
problems = []
visited = []


def check(condition, message):
    if not condition:
        problems.append(f"{driver.current_url}: {message}")


def settle(name):
    """Screenshot the page, and collect what its console said."""
    visited.append(driver.current_url)
    driver.save_screenshot(os.path.join(shots, f"{name}.png"))
    for entry in driver.get_log("browser"):
        if entry["level"] in ("SEVERE", "WARNING"):
            problems.append(f"{name}: console {entry['level']}: {entry['message']}")


def click(element):
    """Clicks a link or a form's button and waits for the page it leads to: click() returns before a form's POST and its
    redirect have loaded, so reading the URL at once can still see the page before (seen on a loaded CI machine)."""
    before = driver.current_url
    element.click()
    try:
        WebDriverWait(driver, 30).until(lambda d: d.current_url != before and d.execute_script("return document.readyState") == "complete")
    except Exception:
        pass  # the checks after it say what is wrong


try:
    driver.get(url + "/")
    check("/login" in driver.current_url, "the front page did not ask to sign in")
    settle("login")
    driver.find_element(By.NAME, "token").send_keys(token)
    click(driver.find_element(By.CSS_SELECTOR, "form.login button"))
    check(driver.current_url.rstrip("/") == url, f"signing in did not lead back to the front page")
    settle("index")
    check("the rollback plan is not empty" in driver.page_source, "no banner for the environment that needs a rollback")
    row = driver.find_element(By.XPATH, f"//tr[th/a[text()='{failing}']]")
    reasons = [element.text for element in row.find_elements(By.CSS_SELECTOR, "td.bad .reason")]
    check(any("check failed" in reason for reason in reasons), f"the failing service's reason is not on the front page: {reasons}")
    check(len(row.find_elements(By.CSS_SELECTOR, ".slot.active")) == 0 and len(driver.find_elements(By.CSS_SELECTOR, "th .slot.active")) == 1,
          "the active slot is not marked once")
    click(row.find_element(By.LINK_TEXT, failing))
    check(driver.current_url.endswith(f"/services/{failing}"), "the service link did not open the service page")
    check("e2e: fail" in driver.find_element(By.CSS_SELECTOR, "ol.timeline").text, "the failed check is not in the timeline")
    settle("service")
    click(driver.find_element(By.CSS_SELECTOR, "ol.timeline a.digest"))
    settle("image")
    check("/images/sha256:" in driver.current_url, "the digest link did not open the image page")
    headings = [element.text for element in driver.find_elements(By.TAG_NAME, "h2")]
    check(any(failing in heading for heading in headings), f"the image page does not name the repository: {driver.page_source[:2000]}")
    for name, path in [("environment", "/environments/prod"), ("cost", "/cost?" + cost_query), ("dora", "/dora"), ("log", "/log")]:
        driver.get(url + path)
        check(driver.find_element(By.TAG_NAME, "h1").text != "", f"{path} has no heading")
        settle(name)
    driver.get(url + "/cost?" + cost_query)
    check(len(driver.find_elements(By.CSS_SELECTOR, "svg.chart rect.bar")) > 0, "the cost chart has no bars")
    click(driver.find_element(By.CSS_SELECTOR, "form.logout button"))
    check("/login" in driver.current_url, "signing out did not lead to the login page")
    driver.get(url + "/services/" + failing)
    check("/login" in driver.current_url, "after signing out a page still showed")
    settle("signed-out")
finally:
    driver.quit()
print(json.dumps({"visited": visited, "problems": problems}, indent=2))
sys.exit(1 if problems else 0)
