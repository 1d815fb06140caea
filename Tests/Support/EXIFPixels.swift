/// What each EXIF orientation does to the stored pixels when a viewer shows them, as plain
/// moves of a pixel grid (the table image libraries apply, e.g. Pillow's `exif_transpose`):
/// 2 mirror left-right, 3 turn 180°, 4 mirror top-bottom, 5 transpose, 6 turn 90° clockwise,
/// 7 transverse, 8 turn 90° counter-clockwise. Tests use it to know, without Preflight's own
/// formulas, where a box drawn on the displayed picture lies on the stored pixels.
public enum EXIFPixels {
    public typealias Box = (left: Int, top: Int, width: Int, height: Int)

    /// The picture a viewer shows for `grid` (rows of pixels) and the orientation.
    public static func displayed(_ grid: [[Int]], orientation: Int) -> [[Int]] {
        func mirrorLeftRight(_ g: [[Int]]) -> [[Int]] { g.map { $0.reversed() } }
        func mirrorTopBottom(_ g: [[Int]]) -> [[Int]] { g.reversed() }
        func transpose(_ g: [[Int]]) -> [[Int]] { (0..<g[0].count).map { x in g.map { $0[x] } } }
        switch orientation {
        case 2: return mirrorLeftRight(grid)
        case 3: return mirrorTopBottom(mirrorLeftRight(grid))
        case 4: return mirrorTopBottom(grid)
        case 5: return transpose(grid)
        case 6: return mirrorLeftRight(transpose(grid))
        case 7: return mirrorTopBottom(mirrorLeftRight(transpose(grid)))
        case 8: return mirrorTopBottom(transpose(grid))
        default: return grid
        }
    }

    /// The stored pixels that a box on the displayed picture covers, as a box: every stored
    /// pixel is numbered, the numbers are shown as the viewer shows them, and the numbers
    /// inside the box are found again on the stored grid.
    public static func storedBox(ofDisplayed box: Box, storedWidth: Int, storedHeight: Int, orientation: Int) -> Box {
        let stored = (0..<storedHeight).map { y in (0..<storedWidth).map { x in y * storedWidth + x } }
        let shown = displayed(stored, orientation: orientation)
        var xs: [Int] = [], ys: [Int] = []
        for y in box.top..<(box.top + box.height) {
            for x in box.left..<(box.left + box.width) {
                xs.append(shown[y][x] % storedWidth)
                ys.append(shown[y][x] / storedWidth)
            }
        }
        return (xs.min()!, ys.min()!, xs.max()! - xs.min()! + 1, ys.max()! - ys.min()! + 1)
    }

    /// Where a box on the stored pixels shows on the displayed picture, found the same way.
    public static func displayedBox(ofStored box: Box, storedWidth: Int, storedHeight: Int, orientation: Int) -> Box {
        let stored = (0..<storedHeight).map { y in (0..<storedWidth).map { x in y * storedWidth + x } }
        let shown = displayed(stored, orientation: orientation)
        var xs: [Int] = [], ys: [Int] = []
        for (y, row) in shown.enumerated() {
            for (x, id) in row.enumerated() {
                let (storedX, storedY) = (id % storedWidth, id / storedWidth)
                if storedX >= box.left && storedX < box.left + box.width && storedY >= box.top && storedY < box.top + box.height {
                    xs.append(x)
                    ys.append(y)
                }
            }
        }
        return (xs.min()!, ys.min()!, xs.max()! - xs.min()! + 1, ys.max()! - ys.min()! + 1)
    }

    /// The displayed picture's size.
    public static func displayedSize(storedWidth: Int, storedHeight: Int, orientation: Int) -> (width: Int, height: Int) {
        orientation >= 5 ? (storedHeight, storedWidth) : (storedWidth, storedHeight)
    }
}
