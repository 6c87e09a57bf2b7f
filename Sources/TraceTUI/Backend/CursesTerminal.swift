import CNCurses
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// Set by SIGINT/SIGTERM so the event loop ends and the terminal is restored.
let terminationRequested = Atomic<Bool>(false)

/// The ncursesw backend: owns the terminal, flushes only the cells that changed since the last frame, reads keys.
/// All calls stay on the thread that created it (`WINDOW *` is not `Sendable`).
public final class CursesTerminal {
    public let colors: Bool
    private var previous: ScreenBuffer?
    private var active = false

    /// Takes over the terminal: wide characters, no echo, keys unbuffered, cursor hidden, keypad decoding, and with
    /// `mouse` clicks and the wheel (the terminal's own selection then takes Shift, as in htop).
    public init(noColor: Bool, mouse: Bool = true) {
        setlocale(LC_ALL, "")
        initscr()
        // ncurses waits a second after Esc for the rest of an escape sequence; that feels broken for a Back key.
        tracescope_set_escdelay(25)
        cbreak()
        noecho()
        keypad(tracescope_stdscr(), true)
        curs_set(0)
        wtimeout(tracescope_stdscr(), 100)
        if mouse { tracescope_enable_mouse() }
        var useColor = false
        if !noColor && has_colors() {
            start_color()
            use_default_colors()
            useColor = true
            for role in StyleRole.allCases {
                init_pair(Int16(role.rawValue) + 1, Self.foreground(role, colors: tracescope_colors()), -1)
            }
        }
        colors = useColor
        active = true
        signal(SIGINT) { _ in terminationRequested.store(true, ordering: .relaxed) }
        signal(SIGTERM) { _ in terminationRequested.store(true, ordering: .relaxed) }
        // The terminal went away (its window closed, ssh dropped): leave instead of drawing into nothing.
        signal(SIGHUP) { _ in terminationRequested.store(true, ordering: .relaxed) }
    }

    deinit { restore() }

    /// Gives the terminal back as it was. Safe to call more than once.
    public func restore() {
        guard active else { return }
        active = false
        endwin()
    }

    public var size: (width: Int, height: Int) { (Int(tracescope_cols()), Int(tracescope_lines())) }

    public var shouldStop: Bool { terminationRequested.load(ordering: .relaxed) }

    /// The foreground colour of a role, richer with 256 colours, the 8 basic ones otherwise.
    static func foreground(_ role: StyleRole, colors: Int32) -> Int16 {
        let rich = colors >= 256
        switch role {
        case .plain: return -1
        case .dim, .border, .keyHint: return rich ? 245 : Int16(COLOR_WHITE)
        case .title, .header: return rich ? 75 : Int16(COLOR_CYAN)
        case .ok: return rich ? 114 : Int16(COLOR_GREEN)
        case .error: return rich ? 214 : Int16(COLOR_YELLOW)
        case .throttle: return rich ? 141 : Int16(COLOR_MAGENTA)
        case .fault: return rich ? 203 : Int16(COLOR_RED)
        case .inferred, .client: return rich ? 110 : Int16(COLOR_BLUE)
        case .barDwell: return rich ? 180 : Int16(COLOR_YELLOW)
        case .barInit: return rich ? 141 : Int16(COLOR_MAGENTA)
        case .barHandler: return rich ? 114 : Int16(COLOR_GREEN)
        case .barOverhead: return rich ? 245 : Int16(COLOR_WHITE)
        case .barSpan: return rich ? 75 : Int16(COLOR_CYAN)
        }
    }

    /// Attributes for a style: colour when there is some; bold, dim and reverse always, so states stay visible in
    /// monochrome too.
    private func attributes(_ style: Style) -> (attr_t, Int16) {
        var attrs = tracescope_a_normal()
        if style.bold || style.role == .fault || style.role == .title { attrs |= tracescope_a_bold() }
        if style.role == .dim || style.role == .border { attrs |= tracescope_a_dim() }
        if style.selected { attrs |= tracescope_a_reverse() }
        if !colors && (style.role == .throttle || style.role == .error) { attrs |= tracescope_a_underline() }
        return (attrs, colors ? Int16(style.role.rawValue) + 1 : 0)
    }

    /// Draws what changed since the last frame, in runs of one style.
    public func draw(_ buffer: ScreenBuffer) {
        let full = previous == nil || previous?.width != buffer.width || previous?.height != buffer.height
        if full { clear() }
        for y in 0..<buffer.height {
            var x = 0
            while x < buffer.width {
                let cell = buffer[x, y]
                if !full, let previous, previous[x, y] == cell {
                    x += 1
                    continue
                }
                // Gather a run of changed cells with this style.
                var text: [wchar_t] = []
                var end = x
                while end < buffer.width {
                    let c = buffer[end, y]
                    if c.style != cell.style { break }
                    if !full, let previous, previous[end, y] == c, end > x { break }
                    for scalar in c.text.unicodeScalars { text.append(wchar_t(bitPattern: scalar.value)) }
                    end += 1
                }
                let (attrs, pair) = attributes(cell.style)
                _ = tracescope_draw(Int32(y), Int32(x), text, Int32(text.count), attrs, pair)
                x = max(end, x + 1)
            }
        }
        refresh()
        previous = buffer
    }

    private func terminalIsGone() -> Bool {
        var input = pollfd(fd: 0, events: Int16(POLLIN), revents: 0)
        guard poll(&input, 1, 0) >= 0 else { return false }
        return input.revents & Int16(POLLHUP | POLLERR | POLLNVAL) != 0
    }

    /// The next key or resize, or nil after 100 ms without input.
    public func nextEvent() -> AppEvent? {
        var ch: wint_t = 0
        let kind = wget_wch(tracescope_stdscr(), &ch)
        if kind == tracescope_err() {
            // Normally the 100 ms timeout. But a terminal that is gone (pty closed, no SIGHUP for us) answers at once,
            // forever: without this check the loop would spin a core until killed.
            if terminalIsGone() { terminationRequested.store(true, ordering: .relaxed) }
            return nil
        }
        let code = Int32(bitPattern: ch)
        if kind == KEY_CODE_YES {
            switch code {
            case tracescope_key_resize(): return .resize(width: Int(tracescope_cols()), height: Int(tracescope_lines()))
            case tracescope_key_up(): return .key(.up)
            case tracescope_key_down(): return .key(.down)
            case tracescope_key_left(): return .key(.left)
            case tracescope_key_right(): return .key(.right)
            case tracescope_key_enter(): return .key(.enter)
            case tracescope_key_npage(): return .key(.pageDown)
            case tracescope_key_ppage(): return .key(.pageUp)
            case tracescope_key_btab(): return .key(.backTab)
            case tracescope_key_backspace(): return .key(.backspace)
            case tracescope_key_mouse():
                var x: Int32 = 0
                var y: Int32 = 0
                let actions: [MouseEvent.Action?] = [nil, .click, .doubleClick, .wheelUp, .wheelDown]
                let kind = Int(tracescope_read_mouse(&x, &y))
                guard kind > 0, kind < actions.count, let action = actions[kind] else { return nil }
                return .mouse(MouseEvent(action, x: Int(x), y: Int(y)))
            default: return nil
            }
        }
        switch code {
        case 9: return .key(.tab)
        case 10, 13: return .key(.enter)
        case 27: return .key(.escape)
        case 8, 127: return .key(.backspace)
        default:
            guard let scalar = Unicode.Scalar(UInt32(bitPattern: code)) else { return nil }
            return .key(.character(Character(scalar)))
        }
    }
}
