package dev.stratus.kernel.magic;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

class CellParserTest {

    @Test
    void javaAndLineMagicsRunInOrder() {
        List<CellParser.Part> parts = CellParser.parse("int a = 1;\n%jars lib/*.jar \"x y\"\nint b = a + 1;\nb");
        assertEquals(3, parts.size());
        CellParser.JavaCode first = assertInstanceOf(CellParser.JavaCode.class, parts.get(0));
        assertEquals(0, first.firstLine());
        CellParser.LineMagicCall magic = assertInstanceOf(CellParser.LineMagicCall.class, parts.get(1));
        assertEquals("jars", magic.name());
        assertEquals(List.of("lib/*.jar", "x y"), magic.args().words());
        assertEquals(1, magic.firstLine());
        CellParser.JavaCode last = assertInstanceOf(CellParser.JavaCode.class, parts.get(2));
        assertEquals(2, last.firstLine());
        assertEquals("int b = a + 1;\nb\n", last.code());
    }

    @Test
    void cellMagicOwnsTheRestOfTheCell() {
        List<CellParser.Part> parts = CellParser.parse("%%time --quiet\nint x = 1;\n%not-a-line-magic");
        CellParser.CellMagicCall call = assertInstanceOf(CellParser.CellMagicCall.class, parts.get(0));
        assertEquals(1, parts.size());
        assertEquals("time", call.name());
        assertEquals(List.of("--quiet"), call.args().words());
        assertEquals("int x = 1;\n%not-a-line-magic", call.body());
    }

    @Test
    void aMagicUsedAsAValueBecomesARuntimeCall() {
        CellParser.JavaCode code = assertInstanceOf(CellParser.JavaCode.class,
                CellParser.parse("List<String> files = %jars \"lib/a b.jar\";").get(0));
        assertEquals("List<String> files = " + MagicRuntime.class.getName() + ".line(\"jars\", \"\\\"lib/a b.jar\\\"\");\n",
                code.code());
    }

    @Test
    void percentSignsInStringsAndOperatorsAreNotMagics() {
        for (String java : List.of("String s = String.format(\"x = %d\", 5);", "boolean b = x == %y;", "a %= 3;")) {
            CellParser.JavaCode code = assertInstanceOf(CellParser.JavaCode.class, CellParser.parse(java).get(0));
            assertEquals(java + "\n", code.code());
        }
    }

    @Test
    void javaOnlyBlanksMagicLinesKeepingPositions() {
        String cell = "int a = 1;\n%time a\nStr";
        String java = CellParser.javaOnly(cell);
        assertEquals(cell.length(), java.length());
        assertTrue(java.endsWith("\nStr"));
        assertEquals("int a = 1;\n       \nStr", java);
    }
}
