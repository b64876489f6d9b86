/* costfront: reader for XML runs files, validated against runs.xsd (see sources.h and data/runs.xsd).
 *
 * The schema is compiled into the library as a string (cf_runs_xsd; tests/test_read_xml.c checks that it is
 * identical to data/runs.xsd, the documented copy). Parsing never touches the network (XML_PARSE_NONET) and keeps
 * libxml2 from printing: errors are taken from the parser context and the schema validator's structured error
 * callback, with their line numbers.
 */
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlschemas.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "costfront/sources.h"
#include "data/src_util.h"

static const char runs_xsd_text[] =
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
    "<!-- costfront runs file, version 1.\n"
    "\n"
    "     A runs file lists experiment runs, one <run> each, with a unique id attribute. Every child element is "
    "optional\n"
    "     and may appear in any order; values are read as text and validated by costfront exactly as the same columns "
    "of\n"
    "     a CSV file (units, ranges, precision spellings, hardware aliases, duplicate ids), so this schema only fixes "
    "the\n"
    "     structure and that numeric fields are numbers:\n"
    "       accuracy     fraction in [0, 1], or percent (detected and reported, as for CSV)\n"
    "       gpu_hours    accelerator-hours;  wall_hours: wall-clock hours;  num_gpus: accelerators used\n"
    "       precision    fp32, tf32, bf16, fp16, fp8, int8, int4 or a common spelling (float16, half, nf4, ...)\n"
    "       pruning      sparsity fraction in [0, 1)\n"
    "       hardware, region, provider, procurement, model, dataset, project: text\n"
    "       param        a hyperparameter: <param name=\"lr\">0.001</param>\n"
    "     Example:\n"
    "       <runs>\n"
    "         <run id=\"r1\"><accuracy>0.91</accuracy><gpu_hours>12.5</gpu_hours><hardware>a100-80gb</hardware>\n"
    "           <precision>bf16</precision><param name=\"lr\">0.001</param></run>\n"
    "       </runs>\n"
    "-->\n"
    "<xs:schema xmlns:xs=\"http://www.w3.org/2001/XMLSchema\" elementFormDefault=\"qualified\">\n"
    "  <xs:simpleType name=\"text\">\n"
    "    <xs:restriction base=\"xs:string\">\n"
    "      <xs:minLength value=\"1\"/>\n"
    "    </xs:restriction>\n"
    "  </xs:simpleType>\n"
    "  <xs:complexType name=\"param\">\n"
    "    <xs:simpleContent>\n"
    "      <xs:extension base=\"xs:string\">\n"
    "        <xs:attribute name=\"name\" type=\"text\" use=\"required\"/>\n"
    "      </xs:extension>\n"
    "    </xs:simpleContent>\n"
    "  </xs:complexType>\n"
    "  <xs:complexType name=\"run\">\n"
    "    <xs:choice minOccurs=\"0\" maxOccurs=\"unbounded\">\n"
    "      <xs:element name=\"accuracy\" type=\"xs:double\"/>\n"
    "      <xs:element name=\"gpu_hours\" type=\"xs:double\"/>\n"
    "      <xs:element name=\"wall_hours\" type=\"xs:double\"/>\n"
    "      <xs:element name=\"num_gpus\" type=\"xs:double\"/>\n"
    "      <xs:element name=\"pruning\" type=\"xs:double\"/>\n"
    "      <xs:element name=\"precision\" type=\"text\"/>\n"
    "      <xs:element name=\"hardware\" type=\"text\"/>\n"
    "      <xs:element name=\"region\" type=\"text\"/>\n"
    "      <xs:element name=\"provider\" type=\"text\"/>\n"
    "      <xs:element name=\"procurement\" type=\"text\"/>\n"
    "      <xs:element name=\"model\" type=\"text\"/>\n"
    "      <xs:element name=\"dataset\" type=\"text\"/>\n"
    "      <xs:element name=\"project\" type=\"text\"/>\n"
    "      <xs:element name=\"param\" type=\"param\"/>\n"
    "    </xs:choice>\n"
    "    <xs:attribute name=\"id\" type=\"text\" use=\"required\"/>\n"
    "  </xs:complexType>\n"
    "  <xs:element name=\"runs\">\n"
    "    <xs:complexType>\n"
    "      <xs:sequence>\n"
    "        <xs:element name=\"run\" type=\"run\" minOccurs=\"0\" maxOccurs=\"unbounded\"/>\n"
    "      </xs:sequence>\n"
    "      <xs:attribute name=\"version\" type=\"xs:string\"/>\n"
    "    </xs:complexType>\n"
    "  </xs:element>\n"
    "</xs:schema>\n";

const char *cf_runs_xsd(void) { return runs_xsd_text; }

/* First validation error seen (the validator keeps going; the first is the most useful). */
typedef struct first_error {
    int have;
    long line;
    char message[400];
} first_error;

/* libxml2's structured error handler: keeps only the first error, the one that explains the rest. */
static void on_schema_error(void *ctx, xmlErrorPtr e)
{
    first_error *fe = ctx;
    if (fe->have || e == NULL) return;
    fe->have = 1;
    fe->line = e->line;
    snprintf(fe->message, sizeof fe->message, "%s", e->message ? e->message : "schema violation");
    size_t n = strlen(fe->message);
    while (n > 0 && (fe->message[n - 1] == '\n' || fe->message[n - 1] == ' ')) fe->message[--n] = '\0';
}

/* Validates doc against the compiled-in schema; on failure fills err with the line of the first violation. */
static cf_status validate(const char *path, xmlDocPtr doc, cf_error *err)
{
    xmlSchemaParserCtxtPtr pctx = xmlSchemaNewMemParserCtxt(runs_xsd_text, (int)(sizeof runs_xsd_text - 1));
    if (pctx == NULL) return cf_error_set(err, CF_ERR_NOMEM, path, 0, 0, NULL, "cannot load the runs schema");
    first_error fe = {0, 0, ""};
    xmlSchemaSetParserStructuredErrors(pctx, on_schema_error, &fe);
    xmlSchemaPtr schema = xmlSchemaParse(pctx);
    xmlSchemaFreeParserCtxt(pctx);
    if (schema == NULL)
        return cf_error_set(err, CF_ERR_EXTERNAL, path, 0, 0, NULL, "the built-in runs schema does not compile: %s",
                            fe.message);
    xmlSchemaValidCtxtPtr vctx = xmlSchemaNewValidCtxt(schema);
    cf_status st = CF_OK;
    if (vctx == NULL) {
        st = cf_error_set(err, CF_ERR_NOMEM, path, 0, 0, NULL, "cannot create the schema validator");
    } else {
        fe.have = 0;
        xmlSchemaSetValidStructuredErrors(vctx, on_schema_error, &fe);
        int rc = xmlSchemaValidateDoc(vctx, doc);
        if (rc != 0)
            st = cf_error_set(err, CF_ERR_PARSE, path, fe.have ? fe.line : 0, 0, NULL,
                              "does not follow the runs schema (runs.xsd): %s",
                              fe.have ? fe.message : "validation failed");
        xmlSchemaFreeValidCtxt(vctx);
    }
    xmlSchemaFree(schema);
    return st;
}

/* Text content of a node, trimmed of surrounding white space; caller frees with free(). */
static char *node_text(xmlNodePtr n)
{
    xmlChar *c = xmlNodeGetContent(n);
    const char *s = c ? (const char *)c : "";
    while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r') s++;
    size_t len = strlen(s);
    while (len > 0 && (s[len - 1] == ' ' || s[len - 1] == '\t' || s[len - 1] == '\n' || s[len - 1] == '\r')) len--;
    char *out = malloc(len + 1);
    if (out != NULL) {
        memcpy(out, s, len);
        out[len] = '\0';
    }
    xmlFree(c);
    return out;
}

/* The line of the first "<!DOCTYPE" in the file at path (libxml2 keeps no line for a DTD), or 0. */
static long doctype_line(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL) return 0;
    static const char pat[] = "<!DOCTYPE";
    long line = 1, found = 0;
    size_t m = 0;
    int c;
    while (!found && (c = getc(f)) != EOF) {
        if (c == '\n') line++;
        m = (c == pat[m]) ? m + 1 : (c == pat[0] ? 1 : 0);
        if (m == sizeof pat - 1) found = line;
    }
    fclose(f);
    return found;
}

cf_status cf_read_xml(const char *path, cf_records *out, cf_error *err)
{
    if (path == NULL || out == NULL) return cf_error_set(err, CF_ERR_ARG, path, 0, 0, NULL, "no path or no records");
    if (!cf_src_is_file(path))
        return cf_error_set(err, CF_ERR_IO, path, 0, 0, NULL, "cannot open the XML file: no such file");
    xmlParserCtxtPtr ctxt = xmlNewParserCtxt();
    if (ctxt == NULL) return cf_error_set(err, CF_ERR_NOMEM, path, 0, 0, NULL, "cannot create the XML parser");
    xmlDocPtr doc = xmlCtxtReadFile(ctxt, path, NULL, XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
    if (doc == NULL) {
        xmlErrorPtr e = xmlCtxtGetLastError(ctxt);
        char msg[400];
        snprintf(msg, sizeof msg, "%s", (e && e->message) ? e->message : "cannot parse");
        size_t n = strlen(msg);
        while (n > 0 && msg[n - 1] == '\n') msg[--n] = '\0';
        cf_status st =
            cf_error_set(err, CF_ERR_PARSE, path, e ? e->line : 0, e ? e->int2 : 0, NULL, "malformed XML: %s", msg);
        xmlFreeParserCtxt(ctxt);
        return st;
    }
    xmlFreeParserCtxt(ctxt);
    if (doc->intSubset != NULL || doc->extSubset != NULL) {
        /* A document type declaration is where entities live (an external one can name any file): a runs file needs
         * none, so it is refused here, in words, before the schema check (which failed with an internal message). */
        xmlDtdPtr dtd = doc->intSubset != NULL ? doc->intSubset : doc->extSubset;
        long line = doctype_line(path);
        int ents = dtd->entities != NULL || (doc->extSubset != NULL && doc->extSubset != dtd);
        xmlFreeDoc(doc);
        return cf_error_set(err, CF_ERR_PARSE, path, line > 0 ? line : 0, 0, NULL,
                            "expected a runs document without a <!DOCTYPE>, found one%s; costfront refuses document "
                            "types and entities in XML (they could pull in other files): remove the <!DOCTYPE ...> "
                            "declaration",
                            ents ? " declaring entities" : "");
    }
    cf_status st = validate(path, doc, err);
    if (st == CF_OK) st = cf_records_begin_source(out, "xml", path);
    cf_pairbuf b = {0};
    xmlNodePtr root = xmlDocGetRootElement(doc);
    long recno = 0;
    for (xmlNodePtr run = root ? root->children : NULL; run != NULL && st == CF_OK; run = run->next) {
        if (run->type != XML_ELEMENT_NODE) continue;
        recno++;
        xmlChar *id = xmlGetProp(run, (const xmlChar *)"id");
        cf_pairbuf_clear(&b);
        st = cf_pairbuf_add(&b, "run_id", (const char *)id);
        for (xmlNodePtr c = run->children; c != NULL && st == CF_OK; c = c->next) {
            if (c->type != XML_ELEMENT_NODE) continue;
            char *text = node_text(c);
            if (text == NULL) {
                st = CF_ERR_NOMEM;
                break;
            }
            if (strcmp((const char *)c->name, "param") == 0) {
                xmlChar *pn = xmlGetProp(c, (const xmlChar *)"name");
                st = cf_pairbuf_add_unique(&b, "param.", (const char *)pn, text);
                xmlFree(pn);
            } else {
                st = cf_pairbuf_add_unique(&b, "", (const char *)c->name, text);
            }
            free(text);
        }
        if (st == CF_OK) {
            xmlBufferPtr buf = xmlBufferCreate();
            if (buf != NULL) xmlNodeDump(buf, doc, run, 0, 0);
            st = cf_pairbuf_emit(&b, out, (const char *)id, xmlGetLineNo(run),
                                 buf ? (const char *)xmlBufferContent(buf) : "");
            xmlBufferFree(buf);
        }
        xmlFree(id);
    }
    if (st == CF_ERR_NOMEM) cf_error_set(err, st, path, 0, 0, NULL, "out of memory");
    cf_pairbuf_free(&b);
    xmlFreeDoc(doc);
    return st;
}
