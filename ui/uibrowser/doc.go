// Package uibrowser holds the real-browser test of `starter ui`: headless
// Chromium, driven with chromedp, on a demo sweep run by the engine. It is
// apart from package ui so that ui's own tests do not link the embedded
// Temporal server.
package uibrowser
