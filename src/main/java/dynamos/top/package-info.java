/**
 * {@code dynamos top}: a live view of every applied update and monitored function. {@link dynamos.top.TopScreen}
 * renders a {@link dynamos.live.LiveView} into lines (pure, for the terminal and for one-shot text);
 * {@link dynamos.top.TopState} is what the keys change; {@link dynamos.top.Terminal} puts the terminal in raw mode
 * and restores it; {@link dynamos.top.LiveTop} is the refresh loop; {@link dynamos.top.TopReport} is the JSON.
 */
package dynamos.top;
