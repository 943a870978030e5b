/* tandem-sample.c
 *
 * Copyright 2026 Tandem developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <math.h>
#include <string.h>

#include <glib/gi18n-lib.h>

#include "tandem-company.h"
#include "tandem-icp.h"
#include "tandem-lead.h"
#include "tandem-member.h"
#include "tandem-persona.h"
#include "tandem-sample.h"
#include "tandem-scoring.h"
#include "tandem-store-private.h"

/* The sample workspace is Northwind Ops, a Berlin software company that
 * sells workflow automation to mid-size logistics, manufacturing and
 * professional-services firms. Everything below is derived from one GRand
 * seeded with the caller's seed, in a fixed order, so that the same seed and
 * end date always give the same bytes. The content is English on purpose:
 * translating it would make the workspace depend on the locale of whoever
 * generated it, and it is data, not interface. */

#define MINUTE_MS (G_GINT64_CONSTANT (60) * 1000)
#define HOUR_MS   (60 * MINUTE_MS)
#define DAY_MS    (24 * HOUR_MS)
#define YEAR_MS   (365 * DAY_MS)

/* Business hours of the sample company, in Berlin local time. */
#define OPEN_MS  (9 * HOUR_MS)
#define CLOSE_MS (17 * HOUR_MS + 30 * MINUTE_MS)

#define SITE       "https://www.northwindops.com"
#define SITE_HOST  "northwindops.com"
#define ID_LENGTH  37
#define NO_INDEX   G_MAXUINT

/* Progress is reported about a hundred times: a few steps for the setup and
 * the rest spread over the leads, which are nearly all of the work. */
#define LEAD_PROGRESS_STEPS 90
#define SETUP_SHARE         0.04
#define LEAD_SHARE          0.94

/* One transaction writes millions of rows with random ids; with SQLite's
 * default 2 MiB page cache most index pages would be written out and read
 * back many times. 64 MiB (in KiB here) for the run only takes a fifth off
 * the large sample; a larger cache gains little and would push the app
 * past its memory budget while it generates. */

typedef char SampleId[ID_LENGTH];

/* Word lists. */

typedef enum
{
  GROUP_LOGISTICS,
  GROUP_MANUFACTURING,
  GROUP_SERVICES,
  GROUP_OTHER,
} IndustryGroup;

typedef struct
{
  const char    *name;
  IndustryGroup  group;
  guint          weight;
  /* Typical yearly revenue per employee in euros, to derive revenue. */
  guint          revenue_per_employee;
  const char    *nouns[5];
} Industry;

static const Industry industries[] = {
  { "Logistics", GROUP_LOGISTICS, 10, 140000,
    { "Logistics", "Logistik", "Distribution", "Supply Chain", NULL } },
  { "Freight forwarding", GROUP_LOGISTICS, 8, 210000,
    { "Freight", "Spedition", "Forwarding", "Cargo", NULL } },
  { "Warehousing", GROUP_LOGISTICS, 6, 110000,
    { "Warehousing", "Lagerlogistik", "Fulfilment", "Storage", NULL } },
  { "Transportation", GROUP_LOGISTICS, 6, 130000,
    { "Transport", "Haulage", "Trucking", "Transporte", NULL } },
  { "Industrial machinery", GROUP_MANUFACTURING, 9, 230000,
    { "Maschinenbau", "Machinery", "Industries", "Werke", NULL } },
  { "Automotive suppliers", GROUP_MANUFACTURING, 7, 260000,
    { "Automotive", "Components", "Fahrzeugtechnik", "Drivetrain", NULL } },
  { "Electronics manufacturing", GROUP_MANUFACTURING, 6, 240000,
    { "Electronics", "Elektronik", "Circuits", "Sensorik", NULL } },
  { "Metal fabrication", GROUP_MANUFACTURING, 5, 190000,
    { "Metallbau", "Metalworks", "Precision", "Stahltechnik", NULL } },
  { "Management consulting", GROUP_SERVICES, 7, 160000,
    { "Consulting", "Advisory", "Partners", "Beratung", NULL } },
  { "Engineering services", GROUP_SERVICES, 6, 120000,
    { "Engineering", "Ingenieure", "Design Partners", "Technical Services", NULL } },
  { "Accounting", GROUP_SERVICES, 4, 110000,
    { "Accountants", "Treuhand", "Audit & Tax", "Associates", NULL } },
  { "IT services", GROUP_SERVICES, 5, 130000,
    { "IT Services", "Systemhaus", "Digital", "Solutions", NULL } },
  { "Retail", GROUP_OTHER, 4, 250000,
    { "Retail", "Handel", "Stores", "Markt", NULL } },
  { "Healthcare", GROUP_OTHER, 3, 90000,
    { "Health", "Kliniken", "Care", "Medical", NULL } },
  { "Education", GROUP_OTHER, 2, 70000,
    { "Academy", "Akademie", "Learning", "College", NULL } },
  { "Public sector", GROUP_OTHER, 2, 80000,
    { "Stadtwerke", "Public Services", "Verwaltung", "Agency", NULL } },
  { "Construction", GROUP_OTHER, 3, 180000,
    { "Bau", "Construction", "Builders", "Bouw", NULL } },
  { "Hospitality", GROUP_OTHER, 2, 60000,
    { "Hotels", "Hospitality", "Resorts", "Gastronomie", NULL } },
  { "Financial services", GROUP_OTHER, 2, 300000,
    { "Capital", "Finanz", "Insurance", "Asset Management", NULL } },
  { "Software", GROUP_OTHER, 3, 180000,
    { "Software", "Labs", "Technologies", "Cloud", NULL } },
};

typedef struct
{
  const char *name;
  const char *region;
  const char *tld;
  const char *legal_suffix;
  const char *phone_prefix;
  guint       weight;
} Country;

static const Country countries[] = {
  { "Germany", "DACH", "de", "GmbH", "+49", 28 },
  { "Austria", "DACH", "at", "GmbH", "+43", 6 },
  { "Switzerland", "DACH", "ch", "AG", "+41", 6 },
  { "Sweden", "Nordics", "se", "AB", "+46", 5 },
  { "Norway", "Nordics", "no", "AS", "+47", 3 },
  { "Denmark", "Nordics", "dk", "A/S", "+45", 3 },
  { "Finland", "Nordics", "fi", "Oy", "+358", 2 },
  { "Netherlands", "Benelux", "nl", "B.V.", "+31", 9 },
  { "Belgium", "Benelux", "be", "NV", "+32", 5 },
  { "United Kingdom", "UK & Ireland", "co.uk", "Ltd", "+44", 12 },
  { "Ireland", "UK & Ireland", "ie", "Ltd", "+353", 2 },
  { "France", "France", "fr", "SAS", "+33", 8 },
  { "United States", "North America", "com", "Inc.", "+1", 6 },
  { "Canada", "North America", "ca", "Inc.", "+1", 2 },
  { "Italy", "Southern Europe", "it", "S.r.l.", "+39", 2 },
  { "Spain", "Southern Europe", "es", "S.L.", "+34", 2 },
};

static const char *const name_prefixes[] = {
  "Alster", "Rhein", "Nordhafen", "Elbe", "Baltic", "Fjord", "Linden", "Hansa", "Meridian",
  "Polaris", "Kestrel", "Harbour", "Granite", "Summit", "Beacon", "Atlas", "Vantage",
  "Crescent", "Northgate", "Riverside", "Ironbridge", "Bluewater", "Falcon", "Oakfield",
  "Silverline", "Brightwell", "Kepler", "Isar", "Main", "Weser", "Donau", "Alpen", "Tauern",
  "Skagen", "Malmo", "Aurora", "Zenith", "Orbit", "Helix", "Vector", "Keystone", "Pioneer",
  "Westport", "Eastbrook", "Greenhill", "Stonebridge", "Redwood", "Lakeside", "Highland",
  "Lowland", "Delta", "Scheldt", "Maas", "Loire", "Seine", "Rhone", "Thames", "Clyde", "Shannon",
  "Ontario", "Cascade", "Sierra", "Lumen", "Novum", "Fortis", "Solid", "Prime", "Core",
};

static const char *const name_stems[] = {
  "Trans", "Nova", "Inter", "Euro", "Multi", "Omni", "Uni", "Pro", "Pan", "Tri", "Flex",
  "Pri", "Syn", "Tec", "Opti", "Integ", "Kon", "Vita", "Terra", "Aero",
};

static const char *const name_endings[] = {
  "log", "tec", "vise", "flux", "line", "port", "mark", "dyn", "ex", "ora", "sys", "tronic",
  "lane", "haus", "form", "werk", "ion", "axis",
};

static const char *const first_names[] = {
  "Anna", "Lukas", "Sophie", "Jonas", "Marie", "Felix", "Laura", "Leon", "Lea", "Paul",
  "Emma", "Maximilian", "Hannah", "Tobias", "Julia", "Florian", "Katharina", "Stefan", "Sabine",
  "Thomas", "Daan", "Sanne", "Bram", "Femke", "Lars", "Ingrid", "Erik", "Astrid", "Mikkel",
  "Freja", "Johan", "Sigrid", "Aino", "Mika", "Camille", "Louis", "Chloé", "Hugo", "Léa",
  "Antoine", "Oliver", "Amelia", "George", "Isla", "Harry", "Charlotte", "James", "Siobhan",
  "Conor", "Aoife", "Michael", "Jennifer", "David", "Sarah", "Kevin", "Emily", "Priya",
  "Arjun", "Ananya", "Rahul", "Wei", "Mei", "Jun", "Xin", "Hiroshi", "Yuki", "Mehmet",
  "Ayşe", "Emre", "Elif", "Kwame", "Amara", "Chinedu", "Ngozi", "Fatima", "Omar", "Youssef",
  "Layla", "Piotr", "Katarzyna", "Tomasz", "Agnieszka", "João", "Inês", "Carlos", "Lucía",
  "Marco", "Giulia", "Matteo", "Francesca", "Dmitri", "Olena", "Andrei", "Zsófia", "Nikos",
  "Eleni", "Sven", "Mats",
};

static const char *const last_names[] = {
  "Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Becker", "Schulz",
  "Hoffmann", "Koch", "Richter", "Klein", "Wolf", "Neumann", "Schwarz", "Zimmermann", "Braun",
  "Krüger", "Hartmann", "Lange", "Huber", "Gruber", "Steiner", "Keller", "Brunner", "de Jong",
  "Jansen", "de Vries", "van Dijk", "Bakker", "Visser", "Peeters", "Maes", "Johansson",
  "Andersson", "Lindqvist", "Nilsen", "Hansen", "Jensen", "Virtanen", "Korhonen", "Martin",
  "Bernard", "Dubois", "Moreau", "Laurent", "Lefèvre", "Smith", "Jones", "Taylor", "Brown",
  "Williams", "Wilson", "Evans", "O'Brien", "Murphy", "Kelly", "Walsh", "Johnson", "Miller",
  "Davis", "Garcia", "Anderson", "Patel", "Sharma", "Iyer", "Reddy", "Chen", "Wang", "Li",
  "Zhang", "Tanaka", "Sato", "Yılmaz", "Demir", "Kaya", "Mensah", "Okafor", "Adeyemi",
  "Haddad", "Khalil", "Nowak", "Kowalski", "Wiśniewska", "Silva", "Santos", "Fernández",
  "López", "Rossi", "Bianchi", "Ricci", "Ivanova", "Kovalenko", "Popescu", "Nagy", "Papadopoulos",
  "Novák", "Horvat", "Berg",
};

static const char *const free_mail_domains[] = {
  "gmail.com", "yahoo.com", "hotmail.com", "outlook.com", "gmx.de", "web.de", "icloud.com",
  "t-online.de", "proton.me",
};

static const char *const competitors[] = {
  "Flowstack", "Routewise", "OpsPilot", "Kanbrio", "ProcessHive",
};

/* Fictional reference customers quoted in case studies. */
static const char *const reference_customers[] = {
  "Hafenkontor Logistik", "Brightwell Components", "Meridian Advisory", "Nordhafen Freight",
  "Alpen Maschinenbau", "Scheldt Cargo", "Kestrel Engineering", "Isar Elektronik",
  "Baltic Fulfilment", "Oakfield Partners", "Rhein Spedition", "Lumen Precision",
};

/* Team members. */

typedef enum
{
  MEMBER_FOUNDER,
  MEMBER_MARKETING_LEAD,
  MEMBER_CONTENT,
  MEMBER_MDR,
  MEMBER_SDR_NORTH,
  MEMBER_SDR_WEST,
  MEMBER_SALES_LEAD,
  MEMBER_AE,
  MEMBER_ONBOARDING,
  MEMBER_CSM,
  MEMBER_AM,
  N_MEMBERS
} MemberIndex;

typedef struct
{
  const char *name;
  const char *email;
  const char *team;
  const char *role;
  gboolean    active;
  guint       tenure_days;
} MemberSpec;

static const MemberSpec member_specs[N_MEMBERS] = {
  { "Hanna Berger", "hanna.berger", "leadership", "founder", TRUE, 1400 },
  { "Jonas Weber", "jonas.weber", "marketing", "marketer", TRUE, 1100 },
  { "Amélie Laurent", "amelie.laurent", "marketing", "marketer", TRUE, 640 },
  { "Tomasz Nowak", "tomasz.nowak", "marketing", "mdr", TRUE, 520 },
  { "Sofia Lindqvist", "sofia.lindqvist", "sales", "sdr", TRUE, 700 },
  { "Kwame Mensah", "kwame.mensah", "sales", "sdr", TRUE, 450 },
  { "Lukas Hoffmann", "lukas.hoffmann", "sales", "ae", TRUE, 1250 },
  { "Priyanka Rao", "priyanka.rao", "sales", "ae", TRUE, 800 },
  { "Elena Rossi", "elena.rossi", "success", "onboarding", TRUE, 600 },
  { "Daniel Okafor", "daniel.okafor", "success", "csm", TRUE, 900 },
  { "Mei Chen", "mei.chen", "success", "am", FALSE, 1000 },
};

/* Ideal customer profiles. */

#define N_ICPS 3

typedef struct
{
  const char    *name;
  const char    *description;
  IndustryGroup  group;
  gint64         employees_min;
  gint64         employees_max;
  /* In millions of euros. */
  gint64         revenue_min;
  gint64         revenue_max;
  const char    *regions[6];
  const char    *attributes[5];
  const char    *excluded_industries[3];
} IcpSpec;

static const IcpSpec icp_specs[N_ICPS] = {
  {
    "Mid-size logistics providers",
    "Contract logistics providers, freight forwarders and carriers with several depots or "
    "warehouses, where exceptions are still handled by phone, email and spreadsheets. They "
    "feel the pain daily, buy within a quarter and become our best references.",
    GROUP_LOGISTICS, 100, 2000, 15, 600,
    { "DACH", "Benelux", "Nordics", "UK & Ireland", NULL },
    { "Uses a TMS or WMS", "Multi-site", "Own fleet or subcontracted carriers",
      "Operations team of 10 or more", NULL },
    { "Public sector", "Postal services", NULL },
  },
  {
    "Discrete manufacturers",
    "Machine builders, automotive and electronics suppliers with two or more plants and an "
    "ERP, who run quality, maintenance and purchasing approvals on paper or email. Longer "
    "cycles with IT involved, but larger deals and low churn.",
    GROUP_MANUFACTURING, 200, 5000, 40, 1500,
    { "DACH", "Nordics", "UK & Ireland", "France", "Benelux", NULL },
    { "Runs an ERP (SAP, Dynamics or similar)", "Multi-site", "ISO 9001 certified",
      "Continuous-improvement team in place", NULL },
    { "Defence", "Public sector", NULL },
  },
  {
    "Professional-services firms",
    "Consultancies, engineering and accounting firms that bill by project and have outgrown "
    "email approvals for intake, staffing and invoicing. Fast decisions by an operating "
    "partner or COO; smaller deals.",
    GROUP_SERVICES, 50, 1000, 5, 250,
    { "DACH", "UK & Ireland", "Benelux", "North America", NULL },
    { "Project-based billing", "Uses a PSA or time-tracking tool", "Two or more offices",
      NULL },
    { "Public sector", "Education", NULL },
  },
};

/* Personas. */

#define N_PERSONAS 6

typedef struct
{
  const char *name;
  const char *job_title;
  const char *seniority;
  const char *location;
  const char *bio;
  guint       icp;
  const char *behaviour;
  const char *interests[6];
  const char *goals[6];
  const char *pain_points[6];
  const char *objections[6];
  const char *channels[6];
  const char *committee_role;
} PersonaSpec;

static const PersonaSpec persona_specs[N_PERSONAS] = {
  {
    "Operations Olivia", "Head of Operations", "director", "Hamburg, Germany",
    "Olivia runs operations for a 600-person contract logistics provider with eight "
    "warehouses across northern Germany and the Netherlands. She came up through warehouse "
    "management and still walks the floor every Monday. Her board expects better margins "
    "without new headcount, and she signs off on any tool that touches daily operations.",
    0,
    "Researches on her phone between site visits and reads case studies from peers before "
    "she talks to any vendor. Trusts recommendations from former colleagues and logistics "
    "association meet-ups over advertising. Books a demo only once she has seen a company "
    "like hers succeed.",
    { "Warehouse automation", "Lean logistics", "Peer benchmarks", "Logistics association meet-ups",
      NULL },
    { "Raise on-time delivery above 98 %", "Cut the cost per order line by 10 %",
      "Open new sites in weeks, not months", "Give customers live status without phone calls",
      NULL },
    { "Exceptions handled by phone and email", "Every site keeps its own spreadsheets",
      "No single view of delays across depots",
      "Key processes live in the heads of two supervisors", NULL },
    { "We tried a workflow tool before and nobody used it", "IT has no capacity this year",
      "Our TMS vendor promises the same in the next release", NULL },
    { "Case studies", "LinkedIn", "Industry events", "Peer referrals", NULL },
    "decision maker",
  },
  {
    "Dispatcher Dennis", "Transport Planning Manager", "manager", "Rotterdam, Netherlands",
    "Dennis leads twelve planners who schedule 400 trucks a day for a regional freight "
    "forwarder. His day starts at 5:30 with the list of overnight exceptions and ends when the "
    "last driver is home. He knows the TMS inside out and fills its gaps with his own Excel "
    "macros. He will use whatever the company buys every day, so his opinion decides whether "
    "it sticks.",
    0,
    "Looks for practical how-to content and short videos he can watch in a quiet moment in the "
    "afternoon. Asks in planner groups on LinkedIn before he forwards anything to his manager. "
    "Prefers to try a tool himself rather than sit through a sales pitch.",
    { "Route planning", "Driver communication", "Excel and low-code tools", "Planner communities",
      NULL },
    { "Fewer calls chasing drivers", "Catch exceptions before the customer notices",
      "Go home on time on Fridays", "Train new planners faster", NULL },
    { "Status updates scattered across phone, email and chat",
      "Re-keying orders between the TMS and customer portals",
      "No record of who promised what to a customer", "Overtime in peak season", NULL },
    { "Another system to log in to", "My planners have no time for training",
      "It will not fit our exceptions", NULL },
    { "YouTube tutorials", "LinkedIn groups", "Free trial", "Webinars", NULL },
    "user",
  },
  {
    "Lean Lena", "Continuous Improvement Manager", "manager", "Linz, Austria",
    "Lena leads continuous improvement at a machine-component maker with three plants in "
    "Austria and Czechia. She is a Lean Six Sigma black belt and runs the weekly shop-floor "
    "improvement board. Too much of her time goes into collecting evidence for audits instead "
    "of improving processes. She is usually the first to find a new tool and to argue for it.",
    1,
    "Reads whitepapers and benchmark reports in depth and shares the good ones with her plant "
    "managers. Joins webinars live to ask questions and downloads the slides. Builds a business "
    "case with numbers before she asks anyone for budget.",
    { "Lean and Six Sigma", "Digital shop-floor management", "Quality management (ISO 9001)",
      "Process mining", NULL },
    { "Close corrective actions twice as fast", "Pass audits without a week of preparation",
      "One way of working across the three plants",
      "Show measurable savings from improvement projects", NULL },
    { "Deviation reports on paper and in shared folders",
      "Corrective actions lost between shifts", "Audit evidence collected by hand",
      "Three plants doing the same process three ways", NULL },
    { "Our ERP already has a quality module", "Works council approval takes months",
      "Shop-floor staff are not at a desk", NULL },
    { "Whitepapers", "Webinars", "LinkedIn", "Trade fairs", NULL },
    "champion",
  },
  {
    "Integration Ingrid", "IT Director", "director", "Gothenburg, Sweden",
    "Ingrid is responsible for IT at an automotive supplier with 1,800 employees, from the SAP "
    "landscape to the plant networks. Her team is small, her backlog long, and every new tool "
    "adds to her security review queue. She has seen tools bought around IT create data silos "
    "and compliance risk. She can stop a purchase late if her questions are not answered early.",
    1,
    "Goes straight to the security, integration and API documentation and skips the marketing "
    "pages. Asks for the data processing agreement, hosting details and single sign-on support "
    "before she agrees to a call. Builds vendor shortlists from analyst notes and her network "
    "of IT leaders.",
    { "Integration architecture", "Information security (ISO 27001)",
      "Single sign-on and identity management", "Total cost of ownership", NULL },
    { "Fewer tools, each properly integrated", "No findings in the next security audit",
      "Free her team from maintaining custom scripts", "Keep data in the EU", NULL },
    { "Business units buying tools without IT", "Fragile point-to-point integrations",
      "No capacity for new projects this year", "Vendor security answers that come late or vague",
      NULL },
    { "Where is the data hosted?", "Does it support our SSO and SAP?",
      "Who maintains the integrations when they break?", NULL },
    { "Technical documentation", "Analyst reports", "Peer network", "Security questionnaires",
      NULL },
    "blocker",
  },
  {
    "Finance Farid", "Head of Finance", "director", "Munich, Germany",
    "Farid heads finance at an engineering consultancy of 250 people and owns budgeting, "
    "billing and the month-end close. He joined from an audit practice and likes controls that "
    "run by themselves. Project managers send him approvals by email, and late timesheets delay "
    "invoices every month. He does not choose operational tools, but nothing is bought without "
    "his review of the business case.",
    2,
    "Wants the return on investment in numbers before he reads anything else and runs vendor "
    "figures through his own spreadsheet. Reads finance newsletters and compares pricing pages "
    "across vendors. Prefers a short written proposal to a long demo.",
    { "Financial controlling", "Automating the month-end close", "Audit readiness",
      "Pricing and licensing models", NULL },
    { "Close the books in five days instead of ten", "Invoice every project on time",
      "A clear audit trail for every approval", "Predictable software costs", NULL },
    { "Approvals stuck in email inboxes", "Late timesheets delaying invoices",
      "Manual reconciliation between project and finance tools",
      "Surprise costs from per-user licences", NULL },
    { "The ROI is not proven for a firm our size", "Per-user pricing gets expensive",
      "We just renewed our PSA contract", NULL },
    { "ROI calculator", "Pricing page", "Email newsletters", "Written proposals", NULL },
    "influencer",
  },
  {
    "Partner Priya", "Chief Operating Officer", "executive", "London, United Kingdom",
    "Priya is COO of a 400-person management consultancy with offices in London, Dublin and "
    "Amsterdam. She owns delivery quality, utilisation and the internal systems behind sixty "
    "concurrent client projects. She wants the firm to grow without adding back-office staff at "
    "the same pace. She decides on operational software and brings in finance and IT once she "
    "is convinced.",
    2,
    "Has little time for research and relies on short summaries, analyst views and what peers "
    "at other firms use. Reads the executive summary and the customer list, then delegates the "
    "evaluation. Responds far better to warm introductions than to cold outreach.",
    { "Operating model design", "Utilisation and margin", "Client experience",
      "Scaling professional services", NULL },
    { "Grow revenue 20 % with the same back-office team", "Standardise project intake and staffing",
      "Raise utilisation above 75 %", "See delivery risk in real time", NULL },
    { "Every office runs projects differently", "Staffing decided in spreadsheets",
      "Partners chasing status updates in meetings", "Slow onboarding of new consultants", NULL },
    { "We are not a logistics company", "Change fatigue after the last system rollout",
      "Can it adapt to how each office works?", NULL },
    { "Peer introductions", "Executive briefings", "Analyst reports", "LinkedIn", NULL },
    "decision maker",
  },
};

/* Job titles of leads. A title whose persona is set is that persona's
 * family: a lead with it, at a company of the persona's ICP, is given the
 * persona. */
typedef struct
{
  const char *title;
  const char *seniority;
  int         persona;
  guint       weight;
} JobTitle;

static const JobTitle job_titles[] = {
  { "Head of Operations", "director", 0, 6 },
  { "Director of Operations", "director", 0, 4 },
  { "Head of Logistics Operations", "director", 0, 3 },
  { "VP Operations", "executive", -1, 3 },
  { "Operations Manager", "manager", -1, 6 },
  { "Transport Planning Manager", "manager", 1, 5 },
  { "Transport Manager", "manager", 1, 4 },
  { "Planning Manager", "manager", 1, 3 },
  { "Continuous Improvement Manager", "manager", 2, 5 },
  { "Process Improvement Manager", "manager", 2, 3 },
  { "Quality Improvement Manager", "manager", 2, 3 },
  { "IT Director", "director", 3, 5 },
  { "Director of IT", "director", 3, 3 },
  { "Head of IT", "director", -1, 3 },
  { "Head of Finance", "director", 4, 5 },
  { "Finance Director", "director", 4, 3 },
  { "Chief Operating Officer", "executive", 5, 4 },
  { "Chief Operations Officer", "executive", 5, 1 },
  { "Managing Director", "executive", -1, 4 },
  { "Chief Executive Officer", "executive", -1, 2 },
  { "Chief Financial Officer", "executive", -1, 2 },
  { "Plant Manager", "manager", -1, 3 },
  { "Warehouse Supervisor", "manager", -1, 3 },
  { "Procurement Manager", "manager", -1, 2 },
  { "Project Manager", "manager", -1, 3 },
  { "Supply Chain Analyst", "individual", -1, 3 },
  { "Business Analyst", "individual", -1, 3 },
  { "Financial Controller", "individual", -1, 2 },
  { "Dispatcher", "individual", -1, 3 },
  { "Quality Engineer", "individual", -1, 2 },
  { "ERP Consultant", "individual", -1, 2 },
  { "Software Engineer", "individual", -1, 2 },
  { "Marketing Manager", "manager", -1, 1 },
  { "Office Manager", "manager", -1, 1 },
  { "Student", "individual", -1, 1 },
};

#define TITLE_STUDENT (G_N_ELEMENTS (job_titles) - 1)

/* Funnel. */

typedef struct
{
  const char *key;
  const char *name;
  const char *team;
  const char *definition;
  const char *required_fields[7];
  gint64      stalled_days;
} StageSpec;

static const StageSpec stage_specs[] = {
  { "lead", "Lead", "marketing",
    "Anyone who gave us their contact details or was prospected, before marketing has "
    "qualified them. Marketing nurtures leads until their score reaches the MQL threshold.",
    { "email", NULL }, 60 },
  { "mql", "Marketing-qualified lead", "marketing",
    "A lead at a company that fits an ICP and whose score reached the threshold (60 points), "
    "or who asked for a demo or started a trial. Routed to a sales owner at once; that moment "
    "is the handoff.",
    { "first_name", "last_name", "email", "company_id", "employees", NULL }, 2 },
  { "sal", "Sales-accepted lead", "sales",
    "Sales reviewed the handed-off lead within two business days and agreed it is worth "
    "working. Accepted leads without activity for 14 days go back to marketing.",
    { "first_name", "last_name", "email", "company_id", "employees", "phone", NULL }, 14 },
  { "sql", "Sales-qualified lead", "sales",
    "A discovery call confirmed a project, a budget range, the decision maker and a time frame "
    "within two quarters.",
    { "first_name", "last_name", "email", "company_id", "employees", "phone", NULL }, 21 },
  { "opportunity", "Opportunity", "sales",
    "A deal is open: the buying committee saw a tailored demo and expects a proposal.",
    { "company_id", "owner_id", NULL }, 30 },
  { "customer", "Customer", "success",
    "The order form is signed. Success takes over onboarding from the account executive.",
    { "company_id", "owner_id", NULL }, 0 },
  { "lost", "Lost", "sales",
    "The opportunity closed without a deal; the reason is recorded for the win/loss review.",
    { NULL }, 0 },
  { "nurture", "Nurture", "marketing",
    "Returned to marketing with a reason: a real prospect, but not now. Marketing keeps them "
    "engaged until they qualify again.",
    { NULL }, 0 },
  { "disqualified", "Disqualified", "marketing",
    "Not a prospect: outside every ICP, a student or job seeker, a competitor, or a duplicate.",
    { NULL }, 0 },
};

typedef enum
{
  REASON_NURTURE,
  REASON_DISQUALIFIED,
  REASON_LOST,
  N_REASON_KINDS
} ReasonKind;

static const char *const reason_kinds[N_REASON_KINDS] = { "nurture", "disqualified", "lost" };

static const char *const nurture_reasons[] = {
  "No budget this year", "Timing — not before next quarter", "Not the decision maker",
  "Early research, no project yet", "No response after several attempts",
};

static const char *const disqualified_reasons[] = {
  "Student/job seeker", "Competitor", "Outside our ICP", "Free-mail address, no company",
  "Duplicate",
};

static const char *const lost_reasons[] = {
  "Chose a competitor", "Price", "No decision", "Timing", "Missing integration",
  "Built it in-house",
};

/* Lead sources and the channels they come through. */

typedef enum
{
  SOURCE_WEBSITE,
  SOURCE_CONTENT,
  SOURCE_PAID_SEARCH,
  SOURCE_LINKEDIN,
  SOURCE_WEBINAR,
  SOURCE_EVENT,
  SOURCE_REFERRAL,
  SOURCE_OUTBOUND,
  N_SOURCES
} Source;

static const struct
{
  const char *name;
  guint       weight;
  const char *channels[3];
} sources[N_SOURCES] = {
  { "website", 22, { "organic search", "direct", NULL } },
  { "content download", 18, { "organic search", "linkedin", "newsletter" } },
  { "paid search", 14, { "google ads", "bing ads", NULL } },
  { "linkedin", 12, { "linkedin ads", "linkedin organic", NULL } },
  { "webinar", 10, { "newsletter", "linkedin", "partner" } },
  { "event", 8, { "trade show", "meetup", NULL } },
  { "referral", 6, { "customer referral", "partner", NULL } },
  { "outbound", 10, { "cold email", "cold call", NULL } },
};

static const char *const event_names[] = {
  "Logistics Summit Hamburg", "Smart Factory Days Stuttgart", "Ops Leaders Forum Amsterdam",
  "Supply Chain Week London", "Nordic Logistics Expo", "Services Operations Day Munich",
};

/* Content assets. */

typedef enum
{
  ASSET_BLOG,
  ASSET_WHITEPAPER,
  ASSET_CASE_STUDY,
  ASSET_VIDEO,
  ASSET_WEBINAR,
  ASSET_COMPARISON,
  ASSET_ROI,
  ASSET_BATTLECARD,
  ASSET_EMAIL_TEMPLATE,
  ASSET_SOCIAL,
  N_ASSET_KINDS
} AssetKind;

typedef struct
{
  const char *kind;
  guint       weight;
  /* Whether leads see it; battlecards and templates are for the team. */
  gboolean    public;
  const char *path;
  const char *patterns[4];
  const char *description;
  const char *stages[4];
  MemberIndex owner;
} AssetKindSpec;

/* In the patterns, {topic}, {customer} and {competitor} stand for a topic,
 * a reference customer and a competitor. */
static const AssetKindSpec asset_kinds[N_ASSET_KINDS] = {
  { "blog post", 30, TRUE, "blog",
    { "How mid-size teams take the chaos out of {topic}",
      "5 signs your process for {topic} has outgrown spreadsheets",
      "A practical checklist for {topic}", "What happens to {topic} when you add a site" },
    "A short article for operations leaders on {topic}, with one example from a customer and a "
    "checklist to take away.",
    { "awareness", NULL }, MEMBER_CONTENT },
  { "whitepaper", 8, TRUE, "resources",
    { "The 2026 guide to automating {topic}", "Benchmark report: {topic} in mid-size companies",
      "From email chains to workflows: {topic}", NULL },
    "An in-depth guide on {topic} with benchmark figures from 200 mid-size companies; gated behind "
    "a form.",
    { "awareness", "consideration", NULL }, MEMBER_MARKETING_LEAD },
  { "case study", 12, TRUE, "case-studies",
    { "How {customer} automated {topic}", "{customer}: {topic} in half the time", NULL, NULL },
    "How a customer moved {topic} from phone calls and spreadsheets to Northwind Ops workflows, "
    "with before-and-after figures.",
    { "consideration", "decision", NULL }, MEMBER_CONTENT },
  { "video", 8, TRUE, "videos",
    { "Product tour: {topic} in four minutes", "Customer story: {topic}", NULL, NULL },
    "A short video on {topic} that shows the workflow as a planner or manager sees it.",
    { "awareness", "consideration", NULL }, MEMBER_CONTENT },
  { "webinar", 8, TRUE, "webinars",
    { "Live webinar: {topic} without the spreadsheet chaos", "Ask the experts: {topic}", NULL,
      NULL },
    "A 45-minute webinar with a customer on {topic}, with live questions; the recording is gated.",
    { "awareness", "consideration", NULL }, MEMBER_MARKETING_LEAD },
  { "comparison", 6, TRUE, "compare",
    { "Northwind Ops vs {competitor}", "Choosing a tool for {topic}: a fair comparison", NULL,
      NULL },
    "A side-by-side comparison for buyers who evaluate tools for {topic}.",
    { "consideration", "decision", NULL }, MEMBER_MARKETING_LEAD },
  { "ROI calculator", 2, TRUE, "roi",
    { "ROI calculator: {topic}", NULL, NULL, NULL },
    "An interactive calculator that estimates hours and cost saved in {topic} from a few figures.",
    { "decision", NULL }, MEMBER_MARKETING_LEAD },
  { "battlecard", 6, FALSE, "sales/battlecards",
    { "Battlecard: Northwind Ops vs {competitor}", "Objection handling: {topic}",
      "Talk track: {topic}", NULL },
    "For the sales team: how to position Northwind Ops in deals about {topic}, with the questions "
    "that uncover pain and the answers to common objections.",
    { "decision", NULL }, MEMBER_SALES_LEAD },
  { "email template", 10, FALSE, "sales/templates",
    { "First-touch email: {topic}", "Follow-up after a webinar on {topic}",
      "Break-up email: {topic}", NULL },
    "An email template for SDRs that opens a conversation about {topic}; personalise the first "
    "line.",
    { "awareness", "consideration", "decision" }, MEMBER_SDR_NORTH },
  { "social post template", 10, FALSE, "social",
    { "LinkedIn post: one tip on {topic}", "Social snippet: the cost of {topic}", NULL, NULL },
    "A ready-to-post LinkedIn text on {topic} for the team to share, with a link to the blog.",
    { "awareness", NULL }, MEMBER_CONTENT },
};

/* Topics belong to the ICP whose people care about them (-1: everyone), so
 * that an asset is tagged with the personas who would read it. */
static const struct
{
  const char *topic;
  int         icp;
} asset_topics[] = {
  { "dispatch exceptions", 0 }, { "proof of delivery", 0 }, { "carrier onboarding", 0 },
  { "dock scheduling", 0 }, { "customs paperwork", 0 }, { "returns handling", 0 },
  { "TMS integration", 0 }, { "shift handovers", 1 }, { "quality deviations", 1 },
  { "maintenance requests", 1 }, { "purchase approvals", 1 }, { "supplier onboarding", 1 },
  { "ERP integration", 1 }, { "compliance checklists", 1 }, { "the month-end close", 2 },
  { "invoice approvals", 2 }, { "project intake", 2 }, { "resource planning", 2 },
  { "timesheet approvals", 2 }, { "change requests", 2 }, { "incident reporting", -1 },
  { "audit trails", -1 }, { "opening a new site", -1 }, { "KPI reporting", -1 },
};

static const char *const feedback_comments[] = {
  "Sent it to three prospects this week; two replied asking for a demo.",
  "Great for first calls, but the numbers are from 2024 — please refresh them.",
  "Prospects in manufacturing say it reads too logistics-focused.",
  "This one closes the security discussion early. Keep it up to date.",
  "Too long for a busy COO; a one-page summary would help.",
  "Works well as a follow-up after discovery calls.",
  "The competitor pricing is out of date since their spring release.",
  "Best asset we have for IT directors.",
};

/* Web pages that leads visit. Careers is the negative signal. */
static const char *const site_pages[] = {
  SITE "/", SITE "/product", SITE "/product/integrations", SITE "/product/security",
  SITE "/customers", SITE "/about", SITE "/partners", SITE "/solutions/logistics",
  SITE "/solutions/manufacturing", SITE "/solutions/professional-services",
};

#define PAGE_PRICING SITE "/pricing"
#define PAGE_DEMO    SITE "/demo"
#define PAGE_CAREERS SITE "/careers"
#define PAGE_TRIAL   "https://app." SITE_HOST "/signup"

static const char *const newsletter_subjects[] = {
  "Northwind Ops monthly: what changed in dispatch this spring",
  "Three workflows our customers built this month",
  "Your invitation: live webinar with a customer",
  "New benchmark report: how mid-size firms handle approvals",
  "Release notes: SAP connector and shift handover templates",
};

static const char *const first_touch_subjects[] = {
  "Your demo request", "Following up on the guide you downloaded",
  "Quick question about your process", "Thanks for joining the webinar",
};

static const char *const follow_up_subjects[] = {
  "Times for a 30-minute call?", "The case study I mentioned", "Recap of our call",
  "Next steps", "Pricing overview for your team", "Security documentation you asked for",
};

static const char *const meeting_subjects[] = {
  "Discovery call", "Product demo for the operations team", "Technical deep dive with IT",
  "Commercial proposal review", "Reference call with a customer", "Contract negotiation",
};

static const char *const call_notes[] = {
  "Left a voicemail; will try again tomorrow morning.",
  "Reached them between meetings; they asked for a case study from their industry.",
  "Good call: three sites, exceptions handled in a shared inbox. Booked a discovery call.",
  "Gatekeeper at reception; got the direct line.",
  "They are evaluating a competitor as well; sent the comparison.",
};

static const char *const deal_notes[] = {
  "IT wants the security questionnaire before the next meeting.",
  "Champion is pushing for a pilot at one site first.",
  "Finance asked for a three-year price; proposal updated.",
  "Budget confirmed for this quarter; legal review of the DPA started.",
  "Decision moved to the next board meeting.",
};

static const char *const plans[] = {
  "Workflow Platform, Growth plan", "Workflow Platform, Enterprise plan",
  "Dispatch Automation", "Quality & Maintenance Workflows", "Approvals & Close Automation",
  "Multi-site rollout", "Pilot and rollout, three sites",
};

/* Generator state. */

typedef struct
{
  SampleId       id;
  const char    *name;
  const char    *short_name;
  const char    *domain;
  guint          industry;
  guint          country;
  gint64         employees;
  gint64         revenue;
  int            icp;
  gint64         created_at;
} Company;

typedef struct
{
  SampleId       id;
  guint          company;
  guint          title;
  int            persona;
  gboolean       free_mail;
  gint64         created_at;
} LeadPlan;

typedef struct
{
  SampleId       id;
  const char    *title;
  const char    *url;
} Asset;

typedef struct
{
  const char    *kind;
  gint64         at;
  const char    *url;
  guint          asset;
  const char    *channel;
  int            member;
  const char    *subject;
  const char    *body;
  guint          order;
} Activity;

typedef struct
{
  const char    *from;
  const char    *to;
  gint64         at;
  int            member;
  const char    *reason;
  const char    *note;
} Move;

/* A member of a buying committee, written once every lead exists: a
 * reference to a row not yet written keeps SQLite's deferred foreign-key
 * counter above zero, and then every insert into leads scans the tables
 * that point at it. */
typedef struct
{
  SampleId       id;
  guint          deal;
  guint          lead;
  const char    *role;
  const char    *attitude;
  gint64         influence;
} Contact;

typedef struct
{
  TandemStore          *store;
  GRand                *rand;
  TandemSampleProgress  progress;
  gpointer              progress_data;
  GError               *error;

  gint64                now;
  gint64                start;
  guint                 n_leads;

  /* Summer time in Berlin, from two years before now to one after. */
  gint64                dst_begin[4];
  gint64                dst_end[4];

  SampleId              member_ids[N_MEMBERS];
  SampleId              icp_ids[N_ICPS];
  SampleId              persona_ids[N_PERSONAS];

  GStringChunk         *strings;
  Company              *companies;
  guint                 n_companies;
  LeadPlan             *leads;
  /* The leads of each company: company_leads[company_first[c]...]. */
  guint                *company_first;
  guint                *company_leads;
  Asset                *assets;
  guint                 n_assets;
  /* Indices of public assets, by kind and by persona. */
  GArray               *public_by_kind[N_ASSET_KINDS];
  GArray               *public_by_persona[N_PERSONAS];
  GArray               *internal_assets;

  /* Job title weights at a company of each ICP, and (last) elsewhere. */
  guint                 title_weights[N_ICPS + 1][G_N_ELEMENTS (job_titles)];

  /* Deal ids, and the committee members waiting for their leads. */
  GArray               *deal_ids;
  GArray               *contacts;

  /* Every lead email so far, to keep them unique. */
  GHashTable           *emails;

  GArray               *activities;
  GArray               *moves;
} Sample;

/* Randomness. */

static inline int
rand_between (Sample *s,
              int     low,
              int     high)
{
  return g_rand_int_range (s->rand, low, high + 1);
}

static inline gboolean
chance (Sample *s,
        double  probability)
{
  return g_rand_double (s->rand) < probability;
}

static inline gint64
rand_ms (Sample *s,
         gint64  low,
         gint64  high)
{
  if (high <= low)
    return low;

  return low + (gint64) (g_rand_double (s->rand) * (double) (high - low));
}

#define PICK(s, array) ((array)[g_rand_int_range ((s)->rand, 0, G_N_ELEMENTS (array))])

static guint
pick_weighted (Sample      *s,
               const guint *weights,
               guint        n_weights)
{
  guint total = 0;
  guint value;

  for (guint i = 0; i < n_weights; i++)
    total += weights[i];

  value = g_rand_int_range (s->rand, 0, total);
  for (guint i = 0; i < n_weights; i++)
    {
      if (value < weights[i])
        return i;
      value -= weights[i];
    }

  return n_weights - 1;
}

/* A version-4 UUID made of generator bytes rather than system randomness,
 * so that ids are part of what the seed reproduces. */
static void
make_id (Sample *s,
         char    id[ID_LENGTH])
{
  static const char hex[] = "0123456789abcdef";
  guint8 bytes[16];
  guint position = 0;

  for (guint i = 0; i < 4; i++)
    {
      guint32 word = g_rand_int (s->rand);

      bytes[i * 4] = word >> 24;
      bytes[i * 4 + 1] = word >> 16;
      bytes[i * 4 + 2] = word >> 8;
      bytes[i * 4 + 3] = word;
    }

  bytes[6] = (bytes[6] & 0x0f) | 0x40;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;

  for (guint i = 0; i < 16; i++)
    {
      if (i == 4 || i == 6 || i == 8 || i == 10)
        id[position++] = '-';
      id[position++] = hex[bytes[i] >> 4];
      id[position++] = hex[bytes[i] & 0xf];
    }
  id[position] = '\0';
}

/* Time: Berlin business hours, with European summer time (from the last
 * Sunday of March to the last Sunday of October, switching at 01:00 UTC). */

static gint64
days_from_civil (int year,
                 int month,
                 int day)
{
  gint64 era;
  int year_of_era, day_of_year, day_of_era;

  year -= month <= 2;
  era = (year >= 0 ? year : year - 399) / 400;
  year_of_era = year - era * 400;
  day_of_year = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1;
  day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;

  return era * 146097 + day_of_era - 719468;
}

static gint64
last_sunday_ms (int year,
                int month)
{
  /* March and October both have 31 days; 1970-01-01 was a Thursday. */
  gint64 day = days_from_civil (year, month, 31);

  day -= (day + 4) % 7;
  return day * DAY_MS + HOUR_MS;
}

static void
init_calendar (Sample *s)
{
  g_autoptr(GDateTime) now = g_date_time_new_from_unix_utc (s->now / 1000);
  int first_year = g_date_time_get_year (now) - 2;

  for (int i = 0; i < 4; i++)
    {
      s->dst_begin[i] = last_sunday_ms (first_year + i, 3);
      s->dst_end[i] = last_sunday_ms (first_year + i, 10);
    }
}

static gint64
berlin_offset (Sample *s,
               gint64  t)
{
  for (int i = 0; i < 4; i++)
    if (t >= s->dst_begin[i] && t < s->dst_end[i])
      return 2 * HOUR_MS;

  return HOUR_MS;
}

/* The first moment at or after @t when the office is open. */
static gint64
business_time (Sample *s,
               gint64  t)
{
  for (;;)
    {
      gint64 offset = berlin_offset (s, t);
      gint64 local = t + offset;
      gint64 day = local / DAY_MS;
      gint64 in_day = local - day * DAY_MS;
      int weekday = (int) ((day + 4) % 7);

      if (weekday >= 1 && weekday <= 5)
        {
          if (in_day < OPEN_MS)
            return day * DAY_MS + OPEN_MS - offset;
          if (in_day < CLOSE_MS)
            return t;
        }

      t = (day + 1) * DAY_MS - offset;
    }
}

/* @t plus @duration of office time, the way SLA clocks count it. */
static gint64
add_business_time (Sample *s,
                   gint64  t,
                   gint64  duration)
{
  t = business_time (s, t);

  for (;;)
    {
      gint64 offset = berlin_offset (s, t);
      gint64 local = t + offset;
      gint64 day = local / DAY_MS;
      gint64 left = day * DAY_MS + CLOSE_MS - local;

      if (duration < left)
        return t + duration;

      duration -= left;
      t = business_time (s, (day + 1) * DAY_MS - offset);
    }
}

/* A random moment during office hours, soon after @t: at night or at the
 * weekend, within the first hours of the next working day. */
static gint64
office_moment (Sample *s,
               gint64  t)
{
  return add_business_time (s, t, rand_ms (s, 0, 3 * HOUR_MS));
}

/* Text helpers. */

/* Lowercase ASCII letters and digits of @text, joined by @separator where
 * anything else stood: "Müller & Söhne" gives "muller-sohne". */
static char *
slugify (const char *text,
         const char *separator)
{
  g_autofree char *ascii = g_str_to_ascii (text, "C");
  GString *slug = g_string_new (NULL);
  gboolean pending = FALSE;

  for (const char *p = ascii; *p != '\0'; p++)
    {
      if (g_ascii_isalnum (*p))
        {
          if (pending && slug->len > 0)
            g_string_append (slug, separator);
          g_string_append_c (slug, g_ascii_tolower (*p));
          pending = FALSE;
        }
      else if (*p != '\'')
        pending = TRUE;
    }

  return g_string_free (slug, FALSE);
}

/* Saving. */

static TandemRecord *
row_new (Sample     *s,
         const char *table,
         char        id[ID_LENGTH])
{
  SampleId local;

  if (id == NULL)
    id = local;

  make_id (s, id);
  return tandem_record_new_for_table (table, id);
}

/* Saves and releases @record. After the first error nothing more is
 * written; the caller notices s->error and rolls back. */
static void
row_save (Sample       *s,
          TandemRecord *record)
{
  if (s->error == NULL)
    tandem_store_save (s->store, record, &s->error);

  g_object_unref (record);
}

/* Saves a lead like row_save() and then writes its activity dates, which
 * saving leaves to their owners; the scores come from the engine at the
 * end. */
static void
lead_save (Sample       *s,
           TandemRecord *record)
{
  if (s->error == NULL && tandem_store_save (s->store, record, &s->error))
    tandem_store_write_derived (s->store, record, &s->error);

  g_object_unref (record);
}

static void
set_text (TandemRecord *record,
          const char   *field,
          const char   *value)
{
  if (value != NULL)
    tandem_record_set_text (record, field, value);
}

static void
report_progress (Sample *s,
                 double  fraction)
{
  if (s->progress != NULL)
    s->progress (CLAMP (fraction, 0.0, 1.0), s->progress_data);
}

/* Workspace setup. */

static void
add_settings (Sample *s)
{
  static const char *const settings[][2] = {
    { "company_name", "Northwind Ops GmbH" },
    { "currency", "EUR" },
    { "business_hours_start", "09:00" },
    { "business_hours_end", "17:30" },
    { "business_days", "1,2,3,4,5" },
    { "time_zone", "Europe/Berlin" },
    { "sal_enabled", "true" },
    { "mql_threshold", "100" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (settings); i++)
    {
      TandemRecord *record = tandem_record_new_for_table ("settings", settings[i][0]);

      tandem_record_set_text (record, "value", settings[i][1]);
      row_save (s, record);
    }
}

static void
add_members (Sample *s)
{
  for (guint i = 0; i < N_MEMBERS; i++)
    {
      const MemberSpec *spec = &member_specs[i];
      g_autofree char *email = g_strdup_printf ("%s@%s", spec->email, SITE_HOST);
      TandemRecord *record;

      make_id (s, s->member_ids[i]);
      record = tandem_record_new_with_id (TANDEM_TYPE_MEMBER, s->member_ids[i]);
      tandem_record_set_text (record, "name", spec->name);
      tandem_record_set_text (record, "email", email);
      tandem_record_set_text (record, "team", spec->team);
      tandem_record_set_text (record, "role", spec->role);
      tandem_record_set_bool (record, "active", spec->active);
      tandem_record_set_int (record, "created_at", s->now - spec->tenure_days * DAY_MS);
      row_save (s, record);
    }
}

static void
add_icps (Sample *s)
{
  for (guint i = 0; i < N_ICPS; i++)
    {
      const IcpSpec *spec = &icp_specs[i];
      g_autoptr(GPtrArray) names = g_ptr_array_new ();
      const char *excluded_domains[G_N_ELEMENTS (free_mail_domains) + 1];
      TandemRecord *record;

      for (guint j = 0; j < G_N_ELEMENTS (industries); j++)
        if (industries[j].group == spec->group)
          g_ptr_array_add (names, (gpointer) industries[j].name);
      g_ptr_array_add (names, NULL);

      for (guint j = 0; j < G_N_ELEMENTS (free_mail_domains); j++)
        excluded_domains[j] = free_mail_domains[j];
      excluded_domains[G_N_ELEMENTS (free_mail_domains)] = NULL;

      make_id (s, s->icp_ids[i]);
      record = tandem_record_new_with_id (TANDEM_TYPE_ICP, s->icp_ids[i]);
      tandem_record_set_text (record, "name", spec->name);
      tandem_record_set_text (record, "description", spec->description);
      tandem_record_set_int (record, "rank", i + 1);
      tandem_record_set_list (record, "industries", (const char * const *) names->pdata);
      tandem_record_set_int (record, "employees_min", spec->employees_min);
      tandem_record_set_int (record, "employees_max", spec->employees_max);
      tandem_record_set_int (record, "revenue_min", spec->revenue_min * 100000000);
      tandem_record_set_int (record, "revenue_max", spec->revenue_max * 100000000);
      tandem_record_set_list (record, "regions", spec->regions);
      tandem_record_set_list (record, "attributes", spec->attributes);
      tandem_record_set_list (record, "excluded_industries", spec->excluded_industries);
      tandem_record_set_list (record, "excluded_domains", excluded_domains);
      tandem_record_set_list (record, "competitors", competitors);
      tandem_record_set_int (record, "created_at", s->now - (400 - 30 * i) * DAY_MS);
      row_save (s, record);
    }
}

static void
add_personas (Sample *s)
{
  for (guint i = 0; i < N_PERSONAS; i++)
    {
      const PersonaSpec *spec = &persona_specs[i];
      TandemRecord *record;

      make_id (s, s->persona_ids[i]);
      record = tandem_record_new_with_id (TANDEM_TYPE_PERSONA, s->persona_ids[i]);
      tandem_record_set_text (record, "name", spec->name);
      tandem_record_set_text (record, "job_title", spec->job_title);
      tandem_record_set_text (record, "seniority", spec->seniority);
      tandem_record_set_text (record, "location", spec->location);
      tandem_record_set_text (record, "bio", spec->bio);
      tandem_record_set_text (record, "icp_id", s->icp_ids[spec->icp]);
      tandem_record_set_text (record, "behaviour", spec->behaviour);
      tandem_record_set_list (record, "interests", spec->interests);
      tandem_record_set_list (record, "goals", spec->goals);
      tandem_record_set_list (record, "pain_points", spec->pain_points);
      tandem_record_set_list (record, "objections", spec->objections);
      tandem_record_set_list (record, "channels", spec->channels);
      tandem_record_set_text (record, "committee_role", spec->committee_role);
      tandem_record_set_int (record, "created_at", s->now - (380 - 10 * i) * DAY_MS);
      row_save (s, record);
    }
}

static void
add_stages_and_reasons (Sample *s)
{
  static const char *const *const reason_lists[N_REASON_KINDS] = {
    nurture_reasons, disqualified_reasons, lost_reasons,
  };
  static const guint reason_counts[N_REASON_KINDS] = {
    G_N_ELEMENTS (nurture_reasons), G_N_ELEMENTS (disqualified_reasons),
    G_N_ELEMENTS (lost_reasons),
  };

  for (guint i = 0; i < G_N_ELEMENTS (stage_specs); i++)
    {
      const StageSpec *spec = &stage_specs[i];
      TandemRecord *record = row_new (s, "stage_definitions", NULL);

      tandem_record_set_text (record, "key", spec->key);
      tandem_record_set_text (record, "name", spec->name);
      tandem_record_set_int (record, "position", i);
      tandem_record_set_text (record, "team", spec->team);
      tandem_record_set_text (record, "definition", spec->definition);
      tandem_record_set_list (record, "required_fields", spec->required_fields);
      tandem_record_set_int (record, "stalled_days", spec->stalled_days);
      tandem_record_set_bool (record, "enabled", TRUE);
      row_save (s, record);
    }

  for (guint kind = 0; kind < N_REASON_KINDS; kind++)
    for (guint i = 0; i < reason_counts[kind]; i++)
      {
        TandemRecord *record = row_new (s, "reasons", NULL);

        tandem_record_set_text (record, "kind", reason_kinds[kind]);
        tandem_record_set_text (record, "label", reason_lists[kind][i]);
        tandem_record_set_int (record, "position", i);
        row_save (s, record);
      }
}

static guint
n_patterns (const AssetKindSpec *spec)
{
  guint n = 0;

  while (n < G_N_ELEMENTS (spec->patterns) && spec->patterns[n] != NULL)
    n++;

  return n;
}

/* Printf formats are never built at run time, so the patterns use named
 * placeholders. */
static char *
fill_pattern (const char *pattern,
              const char *topic,
              const char *customer,
              const char *competitor)
{
  GString *text = g_string_new (pattern);

  g_string_replace (text, "{topic}", topic, 0);
  g_string_replace (text, "{customer}", customer, 0);
  g_string_replace (text, "{competitor}", competitor, 0);

  return g_string_free (text, FALSE);
}

static char *
asset_title (Sample              *s,
             const AssetKindSpec *spec,
             guint               *topic)
{
  const char *pattern = spec->patterns[g_rand_int_range (s->rand, 0, n_patterns (spec))];
  const char *customer = PICK (s, reference_customers);
  const char *competitor = PICK (s, competitors);

  *topic = g_rand_int_range (s->rand, 0, G_N_ELEMENTS (asset_topics));
  return fill_pattern (pattern, asset_topics[*topic].topic, customer, competitor);
}

static void
add_assets (Sample *s)
{
  g_autoptr(GHashTable) titles = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  guint weights[N_ASSET_KINDS];

  s->n_assets = CLAMP (s->n_leads / 200, 40, 500);
  s->assets = g_new0 (Asset, s->n_assets);

  for (guint k = 0; k < N_ASSET_KINDS; k++)
    {
      weights[k] = asset_kinds[k].weight;
      s->public_by_kind[k] = g_array_new (FALSE, FALSE, sizeof (guint));
    }
  for (guint p = 0; p < N_PERSONAS; p++)
    s->public_by_persona[p] = g_array_new (FALSE, FALSE, sizeof (guint));
  s->internal_assets = g_array_new (FALSE, FALSE, sizeof (guint));

  for (guint i = 0; i < s->n_assets; i++)
    {
      Asset *asset = &s->assets[i];
      /* The first ten assets cover every kind, so even the smallest library
       * has a battlecard and an ROI calculator. */
      AssetKind kind = i < N_ASSET_KINDS ? i : pick_weighted (s, weights, N_ASSET_KINDS);
      const AssetKindSpec *spec = &asset_kinds[kind];
      g_autofree char *title = NULL;
      g_autofree char *slug = NULL;
      g_autofree char *url = NULL;
      g_autofree char *description = NULL;
      gboolean tagged[N_PERSONAS] = { FALSE };
      guint topic = 0;
      int icp;
      gint64 published;
      TandemRecord *record;

      for (guint attempt = 0; title == NULL || g_hash_table_contains (titles, title); attempt++)
        {
          g_free (title);
          title = asset_title (s, spec, &topic);
          if (attempt >= 8 && g_hash_table_contains (titles, title))
            {
              char *numbered = g_strdup_printf ("%s (part %u)", title, attempt - 6);

              g_free (title);
              title = numbered;
            }
        }
      g_hash_table_add (titles, g_strdup (title));

      slug = slugify (title, "-");
      if (spec->public)
        url = g_strdup_printf (SITE "/%s/%s", spec->path, slug);
      else
        url = g_strdup_printf ("https://drive." SITE_HOST "/%s/%s.pdf", spec->path, slug);

      description = fill_pattern (spec->description, asset_topics[topic].topic, "", "");

      asset->title = g_string_chunk_insert (s->strings, title);
      asset->url = g_string_chunk_insert (s->strings, url);

      /* Most of the library is recent; a few items are two years old and
       * overdue for review, which the content view should call out. */
      published = s->now - rand_ms (s, 5 * DAY_MS, 720 * DAY_MS);

      record = row_new (s, "assets", asset->id);
      tandem_record_set_text (record, "title", title);
      tandem_record_set_text (record, "kind", spec->kind);
      tandem_record_set_text (record, "url", url);
      tandem_record_set_text (record, "description", description);
      tandem_record_set_text (record, "owner_id",
                              s->member_ids[chance (s, 0.8) ? spec->owner : MEMBER_CONTENT]);
      tandem_record_set_list (record, "buying_stages", spec->stages);
      tandem_record_set_int (record, "review_by",
                             published + rand_ms (s, 180 * DAY_MS, 400 * DAY_MS));
      tandem_record_set_int (record, "published_at", published);
      tandem_record_set_int (record, "created_at", published - rand_ms (s, DAY_MS, 20 * DAY_MS));
      row_save (s, record);

      /* One or both personas of the topic's ICP, sometimes one more; a
       * topic for everyone goes to one to three personas. */
      icp = asset_topics[topic].icp;
      if (icp >= 0)
        {
          guint of_icp[N_PERSONAS];
          guint n_of_icp = 0;
          gboolean all;

          for (guint p = 0; p < N_PERSONAS; p++)
            if (persona_specs[p].icp == (guint) icp)
              of_icp[n_of_icp++] = p;

          tagged[of_icp[g_rand_int_range (s->rand, 0, n_of_icp)]] = TRUE;
          all = chance (s, 0.5);
          for (guint p = 0; p < n_of_icp; p++)
            tagged[of_icp[p]] |= all;
          if (chance (s, 0.2))
            tagged[g_rand_int_range (s->rand, 0, N_PERSONAS)] = TRUE;
        }
      else
        for (int n = rand_between (s, 1, 3); n > 0; n--)
          tagged[g_rand_int_range (s->rand, 0, N_PERSONAS)] = TRUE;

      for (guint persona = 0; persona < N_PERSONAS; persona++)
        {
          TandemRecord *link;

          if (!tagged[persona])
            continue;

          link = row_new (s, "asset_personas", NULL);

          tandem_record_set_text (link, "asset_id", asset->id);
          tandem_record_set_text (link, "persona_id", s->persona_ids[persona]);
          row_save (s, link);

          if (spec->public)
            g_array_append_val (s->public_by_persona[persona], i);
        }

      if (spec->public)
        g_array_append_val (s->public_by_kind[kind], i);
      else
        g_array_append_val (s->internal_assets, i);
    }

  /* Sales feedback on a few assets. */
  for (guint i = 0; i < 8 + s->n_assets / 25; i++)
    {
      TandemRecord *record = row_new (s, "asset_feedback", NULL);
      static const MemberIndex sellers[] = {
        MEMBER_SDR_NORTH, MEMBER_SDR_WEST, MEMBER_SALES_LEAD, MEMBER_AE,
      };

      tandem_record_set_text (record, "asset_id",
                              s->assets[g_rand_int_range (s->rand, 0, s->n_assets)].id);
      tandem_record_set_text (record, "member_id", s->member_ids[PICK (s, sellers)]);
      tandem_record_set_int (record, "rating", rand_between (s, 2, 5));
      tandem_record_set_text (record, "comment", PICK (s, feedback_comments));
      tandem_record_set_int (record, "occurred_at", s->now - rand_ms (s, DAY_MS, 200 * DAY_MS));
      row_save (s, record);
    }
}

/* Companies. */

static int
company_icp (const Company *company)
{
  const Industry *industry = &industries[company->industry];
  const char *region = countries[company->country].region;

  for (guint i = 0; i < N_ICPS; i++)
    {
      const IcpSpec *icp = &icp_specs[i];
      gboolean in_region = FALSE;

      if (industry->group != icp->group || company->employees <= 0)
        continue;
      if (company->employees < icp->employees_min || company->employees > icp->employees_max)
        continue;
      if (company->revenue < icp->revenue_min * 100000000 ||
          company->revenue > icp->revenue_max * 100000000)
        continue;

      for (guint r = 0; icp->regions[r] != NULL; r++)
        in_region |= g_str_equal (icp->regions[r], region);
      if (in_region)
        return i;
    }

  return -1;
}

static char *
company_base_name (Sample         *s,
                   const Industry *industry)
{
  guint n_nouns = 0;
  const char *noun;
  const char *first;
  const char *second;

  while (n_nouns < G_N_ELEMENTS (industry->nouns) && industry->nouns[n_nouns] != NULL)
    n_nouns++;
  noun = industry->nouns[g_rand_int_range (s->rand, 0, n_nouns)];

  /* The words are drawn one statement at a time: the order in which a
   * compiler evaluates function arguments is unspecified, and the same seed
   * should give the same names whichever compiler built Tandem. */
  switch (pick_weighted (s, (const guint[]) { 45, 20, 15, 20 }, 4))
    {
    case 0:
      first = PICK (s, name_prefixes);
      return g_strdup_printf ("%s %s", first, noun);
    case 1:
      first = PICK (s, last_names);
      second = PICK (s, last_names);
      return g_strdup_printf ("%s & %s %s", first, second, noun);
    case 2:
      first = PICK (s, name_prefixes);
      second = PICK (s, name_prefixes);
      return g_strdup_printf ("%s %s %s", first, second, noun);
    default:
      first = PICK (s, name_stems);
      second = PICK (s, name_endings);
      return g_strdup_printf ("%s%s %s", first, second, noun);
    }
}

static void
plan_companies (Sample *s)
{
  g_autoptr(GHashTable) names = g_hash_table_new (g_str_hash, g_str_equal);
  guint industry_weights[G_N_ELEMENTS (industries)];
  guint country_weights[G_N_ELEMENTS (countries)];

  for (guint i = 0; i < G_N_ELEMENTS (industries); i++)
    industry_weights[i] = industries[i].weight;
  for (guint i = 0; i < G_N_ELEMENTS (countries); i++)
    country_weights[i] = countries[i].weight;

  s->n_companies = MAX (20, s->n_leads / 5);
  s->companies = g_new0 (Company, s->n_companies);

  for (guint i = 0; i < s->n_companies; i++)
    {
      Company *company = &s->companies[i];
      const Industry *industry;
      const Country *country;
      g_autofree char *base = NULL;
      g_autofree char *slug = NULL;
      g_autofree char *domain = NULL;
      double per_employee;

      make_id (s, company->id);
      company->industry = pick_weighted (s, industry_weights, G_N_ELEMENTS (industries));
      company->country = pick_weighted (s, country_weights, G_N_ELEMENTS (countries));
      industry = &industries[company->industry];
      country = &countries[company->country];

      for (guint attempt = 0; base == NULL || g_hash_table_contains (names, base); attempt++)
        {
          g_free (base);
          base = company_base_name (s, industry);
          if (attempt >= 20 && g_hash_table_contains (names, base))
            {
              char *numbered = g_strdup_printf ("%s %u", base, attempt);

              g_free (base);
              base = numbered;
            }
        }

      company->short_name = g_string_chunk_insert (s->strings, base);
      g_hash_table_add (names, (gpointer) company->short_name);

      if (chance (s, 0.85))
        {
          g_autofree char *full = g_strdup_printf ("%s %s", base, country->legal_suffix);
          company->name = g_string_chunk_insert (s->strings, full);
        }
      else
        company->name = company->short_name;

      slug = slugify (base, "-");
      domain = g_strdup_printf ("%s.%s", slug, country->tld);
      company->domain = g_string_chunk_insert (s->strings, domain);

      /* Sizes spread log-uniformly from 20 to 5,000 employees; a few
       * companies have no size on record, which the completeness term of
       * the SLA should catch. */
      company->employees = (gint64) exp (log (20) + g_rand_double (s->rand) * log (250));
      if (company->employees > 100)
        company->employees = company->employees / 10 * 10;
      per_employee = industry->revenue_per_employee * (0.6 + 0.8 * g_rand_double (s->rand));
      company->revenue = (gint64) (company->employees * per_employee / 100000) * 100000 * 100;
      if (chance (s, 0.03))
        company->employees = 0;

      company->icp = company_icp (company);
      company->created_at = G_MAXINT64;
    }
}

static void
save_companies (Sample *s)
{
  for (guint i = 0; i < s->n_companies && s->error == NULL; i++)
    {
      Company *company = &s->companies[i];
      const Country *country = &countries[company->country];
      g_autofree char *website = g_strdup_printf ("https://www.%s", company->domain);
      TandemRecord *record = tandem_record_new_with_id (TANDEM_TYPE_COMPANY, company->id);

      /* A company that has no lead yet was imported from a list. */
      if (company->created_at == G_MAXINT64)
        company->created_at = s->start - rand_ms (s, DAY_MS, 60 * DAY_MS);

      tandem_record_set_text (record, "name", company->name);
      tandem_record_set_text (record, "domain", company->domain);
      tandem_record_set_text (record, "industry", industries[company->industry].name);
      if (company->employees > 0)
        tandem_record_set_int (record, "employees", company->employees);
      tandem_record_set_int (record, "revenue", company->revenue);
      tandem_record_set_text (record, "region", country->region);
      tandem_record_set_text (record, "country", country->name);
      tandem_record_set_text (record, "website", website);
      tandem_record_set_int (record, "created_at", company->created_at);
      row_save (s, record);
    }
}

/* Leads, first pass: who works where, with which title and persona, and
 * when they arrived. The committee of a deal needs to know the other
 * people at a company before their own records are written. */

static void
init_title_weights (Sample *s)
{
  for (guint t = 0; t < G_N_ELEMENTS (job_titles); t++)
    {
      int persona = job_titles[t].persona;

      s->title_weights[N_ICPS][t] = job_titles[t].weight;

      /* At an ICP company, the titles of its personas are four times as
       * likely as elsewhere. */
      for (guint i = 0; i < N_ICPS; i++)
        s->title_weights[i][t] = job_titles[t].weight *
                                 (persona >= 0 && persona_specs[persona].icp == i ? 4 : 1);
    }
}

static guint
pick_title (Sample *s,
            int     icp)
{
  return pick_weighted (s, s->title_weights[icp >= 0 ? icp : N_ICPS], G_N_ELEMENTS (job_titles));
}

static void
plan_leads (Sample *s)
{
  guint *counts;

  init_title_weights (s);
  s->leads = g_new0 (LeadPlan, s->n_leads);
  counts = g_new0 (guint, s->n_companies + 1);

  for (guint i = 0; i < s->n_leads; i++)
    {
      LeadPlan *lead = &s->leads[i];
      Company *company;
      gint64 arrival;
      int persona;
      double x;

      make_id (s, lead->id);

      /* Some companies attract many more leads than others. */
      if (chance (s, 0.3))
        lead->company = g_rand_int_range (s->rand, 0, MAX (1, s->n_companies / 10));
      else
        lead->company = g_rand_int_range (s->rand, 0, s->n_companies);
      company = &s->companies[lead->company];
      counts[lead->company]++;

      /* About one in twelve people sign up with a private address, which
       * hides their company from fit scoring. */
      lead->free_mail = chance (s, 0.08);
      lead->title = pick_title (s, company->icp);
      persona = job_titles[lead->title].persona;
      lead->persona = (persona >= 0 && !lead->free_mail &&
                       company->icp == (int) persona_specs[persona].icp) ? persona : -1;

      /* Marketing grew over the year: twice as many leads arrive now as
       * twelve months ago (a density rising linearly, inverted). */
      x = sqrt (1.0 + 3.0 * g_rand_double (s->rand)) - 1.0;
      lead->created_at = s->start + (gint64) (x * (double) (s->now - s->start - HOUR_MS));
      arrival = lead->created_at - rand_ms (s, 0, HOUR_MS);
      company->created_at = MIN (company->created_at, arrival);
    }

  s->company_first = g_new0 (guint, s->n_companies + 1);
  for (guint c = 0; c < s->n_companies; c++)
    s->company_first[c + 1] = s->company_first[c] + counts[c];

  s->company_leads = g_new (guint, MAX (1, s->n_leads));
  memset (counts, 0, sizeof (guint) * (s->n_companies + 1));
  for (guint i = 0; i < s->n_leads; i++)
    {
      guint c = s->leads[i].company;

      s->company_leads[s->company_first[c] + counts[c]++] = i;
    }

  g_free (counts);
}

/* Leads, second pass: the journey of each lead through the funnel. */

static Activity *
add_activity (Sample     *s,
              const char *kind,
              gint64      at)
{
  Activity activity = { kind, at, NULL, NO_INDEX, NULL, -1, NULL, NULL, s->activities->len };

  g_array_append_val (s->activities, activity);
  return &g_array_index (s->activities, Activity, s->activities->len - 1);
}

static void
add_move (Sample     *s,
          const char *from,
          const char *to,
          gint64      at,
          int         member,
          const char *reason,
          const char *note)
{
  Move move = { from, to, at, member, reason, note };

  g_array_append_val (s->moves, move);
}

static guint
pick_public_asset (Sample    *s,
                   int        persona,
                   AssetKind  kind)
{
  GArray *pool = s->public_by_kind[kind];

  /* Leads of a persona find the content written for them more often. */
  if (persona >= 0 && s->public_by_persona[persona]->len > 0 && chance (s, 0.5))
    pool = s->public_by_persona[persona];

  if (pool->len == 0)
    pool = s->public_by_kind[ASSET_BLOG];
  if (pool->len == 0)
    return NO_INDEX;

  return g_array_index (pool, guint, g_rand_int_range (s->rand, 0, pool->len));
}

/* One thing a lead did on their own: the behaviour scoring looks at. */
static void
add_marketing_touch (Sample     *s,
                     int         persona,
                     gint64      at,
                     const char *channel)
{
  static const guint weights[] = { 40, 14, 6, 16, 8, 4, 3, 3, 3, 3 };
  Activity *activity;
  guint asset;

  switch (pick_weighted (s, weights, G_N_ELEMENTS (weights)))
    {
    case 0:
      activity = add_activity (s, "page_visit", at);
      activity->url = PICK (s, site_pages);
      activity->channel = channel;
      break;
    case 1:
      asset = pick_public_asset (s, persona, ASSET_BLOG);
      activity = add_activity (s, "page_visit", at);
      activity->url = asset != NO_INDEX ? s->assets[asset].url : SITE "/blog";
      activity->channel = channel;
      break;
    case 2:
      activity = add_activity (s, "page_visit", at);
      activity->url = PAGE_PRICING;
      activity->channel = channel;
      break;
    case 3:
      activity = add_activity (s, "email_open", at);
      activity->subject = PICK (s, newsletter_subjects);
      activity->channel = "email";
      break;
    case 4:
      asset = pick_public_asset (s, persona, chance (s, 0.5) ? ASSET_CASE_STUDY : ASSET_BLOG);
      activity = add_activity (s, "email_click", at);
      activity->subject = PICK (s, newsletter_subjects);
      activity->asset = asset;
      activity->url = asset != NO_INDEX ? s->assets[asset].url : SITE "/";
      activity->channel = "email";
      break;
    case 5:
      activity = add_activity (s, "page_visit", at);
      activity->url = PAGE_CAREERS;
      activity->channel = channel;
      break;
    case 6:
    case 7:
      {
        static const AssetKind kinds[] = {
          ASSET_WHITEPAPER, ASSET_CASE_STUDY, ASSET_VIDEO, ASSET_COMPARISON, ASSET_ROI,
        };

        asset = pick_public_asset (s, persona, PICK (s, kinds));
        activity = add_activity (s, "content", at);
        activity->asset = asset;
        activity->url = asset != NO_INDEX ? s->assets[asset].url : NULL;
        activity->subject = asset != NO_INDEX ? s->assets[asset].title : NULL;
        activity->channel = channel;
      }
      break;
    case 8:
      asset = pick_public_asset (s, persona, ASSET_WEBINAR);
      activity = add_activity (s, "webinar", at);
      activity->asset = asset;
      activity->subject = asset != NO_INDEX ? s->assets[asset].title : NULL;
      activity->channel = "webinar";
      break;
    default:
      activity = add_activity (s, "page_visit", at);
      activity->url = SITE "/product/integrations";
      activity->channel = channel;
      break;
    }
}

/* What brought the lead in, at the moment of creation. */
static void
add_first_touch (Sample     *s,
                 Source      source,
                 int         persona,
                 gint64      at,
                 const char *channel)
{
  Activity *activity;
  guint asset;

  switch (source)
    {
    case SOURCE_WEBSITE:
      activity = add_activity (s, "page_visit", at - rand_ms (s, MINUTE_MS, 10 * MINUTE_MS));
      activity->url = SITE "/";
      activity->channel = channel;
      activity = add_activity (s, "form_fill", at);
      activity->url = SITE "/contact";
      activity->subject = "Contact form";
      break;
    case SOURCE_CONTENT:
      {
        static const AssetKind kinds[] = { ASSET_WHITEPAPER, ASSET_CASE_STUDY, ASSET_VIDEO };

        asset = pick_public_asset (s, persona, PICK (s, kinds));
        activity = add_activity (s, "form_fill", at);
        activity->subject = "Content download";
        activity->asset = asset;
        activity->url = asset != NO_INDEX ? s->assets[asset].url : NULL;
        activity = add_activity (s, "content", at + rand_ms (s, 10 * 1000, 5 * MINUTE_MS));
        activity->asset = asset;
        activity->url = asset != NO_INDEX ? s->assets[asset].url : NULL;
        activity->subject = asset != NO_INDEX ? s->assets[asset].title : NULL;
      }
      break;
    case SOURCE_PAID_SEARCH:
      activity = add_activity (s, "page_visit", at - rand_ms (s, MINUTE_MS, 5 * MINUTE_MS));
      activity->url = SITE "/solutions/logistics";
      activity->channel = channel;
      activity = add_activity (s, "form_fill", at);
      activity->url = SITE "/lp/workflow-automation";
      activity->subject = "Landing page: workflow automation guide";
      break;
    case SOURCE_LINKEDIN:
      activity = add_activity (s, "form_fill", at);
      activity->subject = "LinkedIn lead-gen form";
      break;
    case SOURCE_WEBINAR:
      asset = pick_public_asset (s, persona, ASSET_WEBINAR);
      activity = add_activity (s, "form_fill", at - rand_ms (s, DAY_MS, 10 * DAY_MS));
      activity->subject = "Webinar registration";
      activity->asset = asset;
      activity = add_activity (s, "webinar", at);
      activity->asset = asset;
      activity->subject = asset != NO_INDEX ? s->assets[asset].title : NULL;
      break;
    case SOURCE_EVENT:
      activity = add_activity (s, "form_fill", at);
      activity->subject = PICK (s, event_names);
      activity->body = "Badge scanned at our booth.";
      break;
    case SOURCE_REFERRAL:
      activity = add_activity (s, "form_fill", at);
      activity->url = SITE "/contact";
      activity->subject = "Contact form (referred by a customer)";
      break;
    case SOURCE_OUTBOUND:
    default:
      activity = add_activity (s, "email_open", at);
      activity->subject = "Prospecting sequence, step 1";
      activity = add_activity (s, "email_click", at + rand_ms (s, MINUTE_MS, HOUR_MS));
      activity->subject = "Prospecting sequence, step 1";
      activity->url = SITE "/customers";
      break;
    }

  activity->channel = channel;
}

/* The strong signal that tips a lead over the MQL threshold. */
static void
add_buying_signal (Sample *s,
                   gint64  at)
{
  Activity *activity;

  switch (pick_weighted (s, (const guint[]) { 45, 20, 35 }, 3))
    {
    case 0:
      activity = add_activity (s, "page_visit", at - rand_ms (s, MINUTE_MS, 15 * MINUTE_MS));
      activity->url = PAGE_PRICING;
      activity = add_activity (s, "demo_request", at);
      activity->url = PAGE_DEMO;
      activity->subject = "Demo request";
      break;
    case 1:
      activity = add_activity (s, "trial_start", at);
      activity->url = PAGE_TRIAL;
      activity->subject = "Started a 14-day trial";
      break;
    default:
      activity = add_activity (s, "page_visit", at - rand_ms (s, MINUTE_MS, 30 * MINUTE_MS));
      activity->url = PAGE_PRICING;
      activity = add_activity (s, "form_fill", at);
      activity->url = PAGE_PRICING;
      activity->subject = "Pricing enquiry";
      break;
    }
  activity->channel = "website";
}

/* @count marketing touches spread over [from, to). */
static void
add_marketing_touches (Sample     *s,
                       int         persona,
                       gint64      from,
                       gint64      to,
                       guint       count,
                       const char *channel)
{
  static const char *const channels[] = { "organic search", "direct", "email", "linkedin" };

  if (to <= from)
    return;

  for (guint i = 0; i < count; i++)
    {
      gint64 at = rand_ms (s, from, to);

      add_marketing_touch (s, persona, at, chance (s, 0.5) ? channel : PICK (s, channels));
    }
}

static void
add_sales_touch (Sample     *s,
                 const char *kind,
                 gint64      at,
                 int         member,
                 const char *subject,
                 const char *body)
{
  Activity *activity = add_activity (s, kind, at);

  activity->member = member;
  activity->subject = subject;
  activity->body = body;
  if (g_str_equal (kind, "call"))
    activity->channel = "phone";
  else if (g_str_equal (kind, "email_sent"))
    activity->channel = "email";
  else if (g_str_has_prefix (kind, "meeting"))
    activity->channel = "video call";
}

/* A follow-up that sometimes carries an asset, which is how sales use of
 * content is counted. */
static void
add_follow_up (Sample *s,
               gint64  at,
               int     member,
               int     persona)
{
  static const AssetKind kinds[] = {
    ASSET_CASE_STUDY, ASSET_COMPARISON, ASSET_ROI, ASSET_WHITEPAPER,
  };
  Activity *activity;

  switch (g_rand_int_range (s->rand, 0, 4))
    {
    case 0:
      add_sales_touch (s, "call", at, member, "Follow-up call", PICK (s, call_notes));
      break;
    case 1:
      activity = add_activity (s, "email_sent", at);
      activity->member = member;
      activity->channel = "email";
      activity->subject = PICK (s, follow_up_subjects);
      activity->asset = pick_public_asset (s, persona, PICK (s, kinds));
      if (activity->asset != NO_INDEX)
        activity->url = s->assets[activity->asset].url;
      break;
    case 2:
      activity = add_activity (s, "email_sent", at);
      activity->member = member;
      activity->channel = "email";
      activity->subject = PICK (s, follow_up_subjects);
      if (s->internal_assets->len > 0 && chance (s, 0.5))
        activity->asset = g_array_index (s->internal_assets, guint,
                                         g_rand_int_range (s->rand, 0, s->internal_assets->len));
      break;
    default:
      add_sales_touch (s, "note", at, member, NULL, PICK (s, deal_notes));
      break;
    }
}

/* Sales work between @from and @to, all in office hours and before now. */
static void
add_follow_ups (Sample *s,
                gint64  from,
                gint64  to,
                guint   count,
                int     member,
                int     persona)
{
  to = MIN (to, s->now - HOUR_MS);

  for (guint i = 0; i < count; i++)
    {
      gint64 at = office_moment (s, rand_ms (s, from, to));

      if (at > from && at < to)
        add_follow_up (s, at, member, persona);
    }
}

static int
compare_activities (gconstpointer a,
                    gconstpointer b)
{
  const Activity *x = a;
  const Activity *y = b;

  if (x->at != y->at)
    return x->at < y->at ? -1 : 1;

  return x->order < y->order ? -1 : x->order > y->order;
}

typedef struct
{
  const char *stage;
  gint64      stage_at;
  int         owner;
  gint64      handoff_at;
  gint64      accepted_at;
  gint64      first_touch_at;
  gint64      opportunity_at;
  gint64      closed_at;
  const char *deal_status;
  const char *lost_reason;
} Journey;

static int
route_sdr (Sample        *s,
           const Company *company)
{
  const char *region = countries[company->country].region;
  gboolean north = g_str_equal (region, "DACH") || g_str_equal (region, "Nordics");

  /* Routing by region, with holidays and overflow now and then. */
  if (chance (s, 0.1))
    north = !north;

  return north ? MEMBER_SDR_NORTH : MEMBER_SDR_WEST;
}

static int
route_ae (Sample  *s,
          Company *company)
{
  /* The head of sales keeps the larger accounts. */
  if (company->employees >= 1000)
    return chance (s, 0.8) ? MEMBER_SALES_LEAD : MEMBER_AE;

  return chance (s, 0.35) ? MEMBER_SALES_LEAD : MEMBER_AE;
}

/* From MQL on: handoff, decision, and whatever sales made of it. */
static void
run_sales_cycle (Sample   *s,
                 Journey  *j,
                 Company  *company,
                 int       persona,
                 int       fit,
                 gint64    mql_at,
                 gboolean  recycled)
{
  gint64 latest = s->now - 15 * MINUTE_MS;
  gint64 handoff, first_touch, decision, sql_at, opportunity_at, close_at, stall_at, booked;
  double outcome;
  int sdr, ae;

  add_move (s, recycled ? "nurture" : "lead", "mql", mql_at, -1, NULL,
            recycled ? "Re-engaged: the score passed the MQL threshold again"
                     : "The score passed the MQL threshold");
  j->stage = "mql";
  j->stage_at = mql_at;

  /* Routing assigns an owner within minutes of the MQL. */
  handoff = mql_at + rand_ms (s, MINUTE_MS, 20 * MINUTE_MS);
  if (handoff >= latest)
    return;

  sdr = route_sdr (s, company);
  j->owner = sdr;
  j->handoff_at = handoff;
  j->accepted_at = 0;
  j->first_touch_at = 0;

  /* Most first touches land within the four business hours of the SLA. */
  if (chance (s, 0.82))
    first_touch = add_business_time (s, handoff, rand_ms (s, 5 * MINUTE_MS, 4 * HOUR_MS));
  else
    first_touch = add_business_time (s, handoff, rand_ms (s, 4 * HOUR_MS, 20 * HOUR_MS));

  if (first_touch >= latest)
    return;

  j->first_touch_at = first_touch;
  if (chance (s, 0.6))
    add_sales_touch (s, "call", first_touch, sdr, "First call", PICK (s, call_notes));
  else
    add_sales_touch (s, "email_sent", first_touch, sdr, PICK (s, first_touch_subjects), NULL);

  /* The decision usually comes within the two business days agreed. */
  if (chance (s, 0.87))
    decision = add_business_time (s, first_touch, rand_ms (s, 10 * MINUTE_MS, 12 * HOUR_MS));
  else
    decision = add_business_time (s, first_touch, rand_ms (s, 17 * HOUR_MS, 40 * HOUR_MS));

  if (decision >= latest)
    return;

  outcome = g_rand_double (s->rand);
  if (outcome >= 0.72)
    {
      gboolean nurture = outcome < 0.9;
      const char *reason = nurture ? PICK (s, nurture_reasons) : PICK (s, disqualified_reasons);

      add_move (s, "mql", nurture ? "nurture" : "disqualified", decision, sdr, reason, NULL);
      j->stage = nurture ? "nurture" : "disqualified";
      j->stage_at = decision;

      if (nurture && !recycled && chance (s, 0.3))
        {
          gint64 again = decision + rand_ms (s, 30 * DAY_MS, 120 * DAY_MS);

          if (again < latest)
            {
              add_marketing_touches (s, persona, decision, again, rand_between (s, 1, 4), "email");
              add_buying_signal (s, again - rand_ms (s, MINUTE_MS, HOUR_MS));
              run_sales_cycle (s, j, company, persona, fit, again, TRUE);
            }
        }
      return;
    }

  add_move (s, "mql", "sal", decision, sdr, NULL, NULL);
  j->stage = "sal";
  j->stage_at = decision;
  j->accepted_at = decision;

  /* Accepted: some become SQL after a discovery call, some stall and are
   * recycled to marketing after the agreed 14 days, some just sit there. */
  outcome = g_rand_double (s->rand);
  if (outcome < 0.40 + fit / 500.0)
    {
      gint64 held = office_moment (s, decision + rand_ms (s, 2 * DAY_MS, 20 * DAY_MS));

      sql_at = held + rand_ms (s, 20 * MINUTE_MS, 3 * HOUR_MS);
      add_follow_ups (s, first_touch, held, rand_between (s, 1, 3), sdr, persona);
      if (sql_at >= latest)
        return;

      booked = office_moment (s, held - rand_ms (s, 2 * DAY_MS, 6 * DAY_MS));
      booked = CLAMP (booked, first_touch + MINUTE_MS, held - MINUTE_MS);
      add_sales_touch (s, "meeting_booked", booked, sdr, "Discovery call", NULL);
      add_sales_touch (s, "meeting_held", held, sdr, "Discovery call",
                       "Confirmed project, budget range and decision maker.");
    }
  else
    {
      if (outcome < 0.75)
        {
          stall_at = office_moment (s, decision + rand_ms (s, 14 * DAY_MS, 21 * DAY_MS));
          add_follow_ups (s, first_touch, MIN (stall_at, decision + 5 * DAY_MS),
                          rand_between (s, 1, 3), sdr, persona);
          if (stall_at < latest)
            {
              add_move (s, "sal", "nurture", stall_at, sdr, "No response after several attempts",
                        "Recycled: no activity for 14 days after acceptance");
              j->stage = "nurture";
              j->stage_at = stall_at;
            }
        }
      else
        add_follow_ups (s, first_touch, decision + 10 * DAY_MS, rand_between (s, 1, 2), sdr,
                        persona);
      return;
    }

  ae = route_ae (s, company);
  add_move (s, "sal", "sql", sql_at, sdr, NULL, NULL);
  j->stage = "sql";
  j->stage_at = sql_at;
  j->owner = ae;

  outcome = g_rand_double (s->rand);
  if (outcome >= 0.36 + fit / 500.0)
    {
      gint64 back = office_moment (s, sql_at + rand_ms (s, 20 * DAY_MS, 45 * DAY_MS));

      add_follow_ups (s, sql_at, MIN (back, sql_at + 30 * DAY_MS), rand_between (s, 1, 3), ae,
                      persona);
      if (outcome < 0.75)
        {
          if (back < latest)
            {
              add_move (s, "sql", "nurture", back, ae, chance (s, 0.5) ? nurture_reasons[1]
                                                                         : nurture_reasons[0],
                        NULL);
              j->stage = "nurture";
              j->stage_at = back;
            }
        }
      return;
    }

  /* The tailored demo, after which the prospect asks for a proposal. */
  booked = office_moment (s, sql_at + rand_ms (s, 2 * DAY_MS, 14 * DAY_MS));
  opportunity_at = booked + rand_ms (s, HOUR_MS, 2 * DAY_MS);
  if (booked < latest)
    add_sales_touch (s, "meeting_held", booked, ae, meeting_subjects[1],
                     "Demo to the operations team; they asked for a proposal.");
  if (opportunity_at >= latest)
    return;

  add_move (s, "sql", "opportunity", opportunity_at, ae, NULL, "Proposal requested");
  j->stage = "opportunity";
  j->stage_at = opportunity_at;
  j->opportunity_at = opportunity_at;
  j->deal_status = "open";

  close_at = office_moment (s, opportunity_at + rand_ms (s, 20 * DAY_MS, 120 * DAY_MS));
  add_follow_ups (s, opportunity_at, close_at, rand_between (s, 3, 7), ae, persona);
  for (guint i = 2; i < G_N_ELEMENTS (meeting_subjects); i++)
    {
      gint64 at = office_moment (s, rand_ms (s, opportunity_at, close_at));

      if (chance (s, 0.5) && at < MIN (close_at, latest))
        add_sales_touch (s, chance (s, 0.3) ? "meeting_booked" : "meeting_held", at, ae,
                         meeting_subjects[i], NULL);
    }

  if (close_at >= latest)
    return;

  j->closed_at = close_at;
  if (chance (s, 0.16 + fit / 500.0))
    {
      add_sales_touch (s, "note", close_at - MINUTE_MS, ae, NULL,
                       "Order form signed; handed over to onboarding.");
      add_move (s, "opportunity", "customer", close_at, ae, NULL, "Order form signed");
      j->stage = "customer";
      j->deal_status = "won";
    }
  else
    {
      j->lost_reason = PICK (s, lost_reasons);
      add_move (s, "opportunity", "lost", close_at, ae, j->lost_reason, NULL);
      j->stage = "lost";
      j->deal_status = "lost";
    }
  j->stage_at = close_at;
}

static int
lead_fit (const Company *company,
          const LeadPlan *lead,
          gboolean        free_mail)
{
  const Industry *industry = &industries[company->industry];
  const char *seniority = job_titles[lead->title].seniority;
  int fit = 0;

  if (industry->group != GROUP_OTHER)
    fit += 30;
  if (company->icp >= 0)
    fit += 35;
  else if (company->employees >= 50)
    fit += 10;
  if (lead->persona >= 0)
    fit += 15;
  if (g_str_equal (seniority, "executive") || g_str_equal (seniority, "director"))
    fit += 15;
  else if (g_str_equal (seniority, "manager"))
    fit += 8;
  if (g_str_equal (industry->name, "Public sector") || g_str_equal (industry->name, "Education"))
    fit -= 20;
  if (free_mail)
    fit -= 40;
  if (lead->title == TITLE_STUDENT)
    fit -= 40;

  return CLAMP (fit, 0, 100);
}

static void
save_lead (Sample *s,
           guint   index)
{
  LeadPlan *lead = &s->leads[index];
  Company *company = &s->companies[lead->company];
  const Country *country = &countries[company->country];
  const JobTitle *title = &job_titles[lead->title];
  const char *first_name = PICK (s, first_names);
  const char *last_name = PICK (s, last_names);
  g_autofree char *first_slug = slugify (first_name, "");
  g_autofree char *last_slug = slugify (last_name, "");
  g_autofree char *email = NULL;
  g_autofree char *phone = NULL;
  const char *domain = company->domain;
  char *email_key;
  guint source_weights[N_SOURCES];
  Source source;
  const char *channel;
  gboolean free_mail = lead->free_mail;
  gboolean junk;
  gint64 created = lead->created_at;
  gint64 latest = s->now - 15 * MINUTE_MS;
  gint64 last_activity = created;
  int fit, persona = lead->persona;
  Journey journey = { "lead", created, -1, 0, 0, 0, 0, 0, NULL, NULL };
  TandemRecord *record;

  g_array_set_size (s->activities, 0);
  g_array_set_size (s->moves, 0);

  for (guint i = 0; i < N_SOURCES; i++)
    source_weights[i] = sources[i].weight;
  source = pick_weighted (s, source_weights, N_SOURCES);
  channel = sources[source].channels[0];
  if (sources[source].channels[1] != NULL && chance (s, 0.4))
    {
      gboolean third = sources[source].channels[2] != NULL && chance (s, 0.5);

      channel = sources[source].channels[third ? 2 : 1];
    }

  if (free_mail)
    {
      domain = PICK (s, free_mail_domains);
      email = g_strdup_printf ("%s.%s%d@%s", first_slug, last_slug, rand_between (s, 1, 99),
                               domain);
    }
  else
    switch (g_rand_int_range (s->rand, 0, 4))
      {
      case 0:
        email = g_strdup_printf ("%c.%s@%s", first_slug[0], last_slug, domain);
        break;
      case 1:
        email = g_strdup_printf ("%s@%s", first_slug, domain);
        break;
      default:
        email = g_strdup_printf ("%s.%s@%s", first_slug, last_slug, domain);
        break;
      }

  /* Two people with the same name at one company get told apart the way
   * mail servers do it, so that email stays a reliable duplicate check. */
  for (guint n = 2; g_hash_table_contains (s->emails, email); n++)
    {
      g_free (email);
      email = g_strdup_printf ("%s.%s%u@%s", first_slug, last_slug, n, domain);
    }
  email_key = g_string_chunk_insert (s->strings, email);
  g_hash_table_add (s->emails, email_key);

  if (chance (s, 0.72))
    {
      int area = rand_between (s, 20, 899);
      int number = rand_between (s, 1000000, 9999999);

      phone = g_strdup_printf ("%s %d %d", country->phone_prefix, area, number);
    }

  fit = lead_fit (company, lead, free_mail);

  add_move (s, NULL, "lead", created, -1, NULL, NULL);
  add_first_touch (s, source, persona, created, channel);

  junk = lead->title == TITLE_STUDENT || (free_mail && chance (s, 0.5)) ||
         (industries[company->industry].group == GROUP_OTHER && chance (s, 0.1));

  if (junk && chance (s, 0.75))
    {
      gint64 at = office_moment (s, created + rand_ms (s, HOUR_MS, 4 * DAY_MS));

      add_marketing_touches (s, persona, created, MIN (at, latest), rand_between (s, 0, 3),
                             channel);
      if (at < latest)
        {
          const char *reason;

          if (lead->title == TITLE_STUDENT)
            reason = disqualified_reasons[0];
          else if (free_mail)
            reason = disqualified_reasons[3];
          else
            reason = disqualified_reasons[2];

          add_move (s, "lead", "disqualified", at, MEMBER_MDR, reason, NULL);
          journey.stage = "disqualified";
          journey.stage_at = at;
        }
    }
  else if (chance (s, 0.08 + fit / 200.0 * 0.9))
    {
      /* Interest builds over days or weeks until a buying signal. */
      gint64 mql_at = created + (gint64) (DAY_MS * 60 * pow (g_rand_double (s->rand), 2.0)) +
                      rand_ms (s, HOUR_MS, DAY_MS);

      add_marketing_touches (s, persona, created, MIN (mql_at, latest), rand_between (s, 3, 9),
                             channel);
      if (mql_at < latest)
        {
          add_buying_signal (s, mql_at - rand_ms (s, MINUTE_MS, HOUR_MS));
          run_sales_cycle (s, &journey, company, persona, fit, mql_at, FALSE);
          /* People keep reading while sales works with them. */
          add_marketing_touches (s, persona, mql_at, latest, rand_between (s, 0, 3), "email");
        }
    }
  else
    add_marketing_touches (s, persona, created, MIN (created + 120 * DAY_MS, latest),
                           rand_between (s, 2, 9), channel);

  /* Order the timeline and make every step strictly later than the one
   * before, so that "the activity before" is always well defined. */
  g_array_sort (s->activities, compare_activities);
  for (guint i = 0; i < s->activities->len; i++)
    {
      Activity *activity = &g_array_index (s->activities, Activity, i);

      if (i > 0 && activity->at <= last_activity)
        activity->at = last_activity + 1000;
      last_activity = activity->at;
    }

  record = tandem_record_new_with_id (TANDEM_TYPE_LEAD, lead->id);
  tandem_record_set_text (record, "first_name", first_name);
  tandem_record_set_text (record, "last_name", last_name);
  tandem_record_set_text (record, "email", email);
  set_text (record, "phone", phone);
  tandem_record_set_text (record, "job_title", title->title);
  tandem_record_set_text (record, "seniority", title->seniority);
  tandem_record_set_text (record, "company_id", company->id);
  tandem_record_set_text (record, "source", sources[source].name);
  tandem_record_set_text (record, "channel", channel);
  if (journey.owner >= 0)
    tandem_record_set_text (record, "owner_id", s->member_ids[journey.owner]);
  tandem_record_set_text (record, "stage", journey.stage);
  tandem_record_set_int (record, "stage_entered_at", journey.stage_at);
  if (journey.handoff_at > 0)
    tandem_record_set_int (record, "handoff_at", journey.handoff_at);
  if (journey.accepted_at > 0)
    tandem_record_set_int (record, "accepted_at", journey.accepted_at);
  if (journey.first_touch_at > 0)
    tandem_record_set_int (record, "first_touch_at", journey.first_touch_at);
  tandem_record_set_int (record, "last_activity_at", last_activity);
  tandem_record_set_int (record, "created_at", created);
  lead_save (s, record);

  for (guint i = 0; i < s->activities->len; i++)
    {
      const Activity *activity = &g_array_index (s->activities, Activity, i);

      record = row_new (s, "activities", NULL);
      tandem_record_set_text (record, "lead_id", lead->id);
      tandem_record_set_text (record, "kind", activity->kind);
      tandem_record_set_int (record, "occurred_at", activity->at);
      set_text (record, "url", activity->url);
      if (activity->asset != NO_INDEX)
        tandem_record_set_text (record, "asset_id", s->assets[activity->asset].id);
      set_text (record, "channel", activity->channel);
      if (activity->member >= 0)
        tandem_record_set_text (record, "member_id", s->member_ids[activity->member]);
      set_text (record, "subject", activity->subject);
      set_text (record, "body", activity->body);
      row_save (s, record);
    }

  for (guint i = 0; i < s->moves->len; i++)
    {
      const Move *move = &g_array_index (s->moves, Move, i);

      record = row_new (s, "stage_history", NULL);
      tandem_record_set_text (record, "lead_id", lead->id);
      set_text (record, "from_stage", move->from);
      tandem_record_set_text (record, "to_stage", move->to);
      tandem_record_set_int (record, "occurred_at", move->at);
      if (move->member >= 0)
        tandem_record_set_text (record, "member_id", s->member_ids[move->member]);
      set_text (record, "reason", move->reason);
      set_text (record, "note", move->note);
      row_save (s, record);
    }

  if (journey.deal_status != NULL)
    {
      SampleId deal_id;
      g_autofree char *name = g_strdup_printf ("%s — %s", company->short_name, PICK (s, plans));
      double size = company->employees > 0 ? log10 ((double) company->employees) / 4.0 : 0.3;
      /* 8,000 to 120,000 euros, larger for larger companies, in steps of
       * 500 euros, in cents. */
      double position = CLAMP (0.6 * size + 0.4 * g_rand_double (s->rand), 0.0, 1.0);
      gint64 amount = (gint64) (8000.0 * pow (15.0, position));
      gint64 expected_close;
      guint first = s->company_first[lead->company];
      guint n_colleagues = s->company_first[lead->company + 1] - first;
      guint wanted = rand_between (s, 1, 3);
      guint committee[4];
      guint n_committee = 0;

      amount = amount / 500 * 500 * 100;
      if (journey.closed_at > 0)
        expected_close = journey.closed_at + rand_ms (s, -20 * DAY_MS, 10 * DAY_MS);
      else
        {
          gint64 planned = journey.opportunity_at + rand_ms (s, 30 * DAY_MS, 90 * DAY_MS);
          gint64 soonest = s->now + rand_ms (s, 7 * DAY_MS, 60 * DAY_MS);

          expected_close = MAX (planned, soonest);
        }
      expected_close -= expected_close % DAY_MS;

      record = row_new (s, "deals", deal_id);
      tandem_record_set_text (record, "lead_id", lead->id);
      tandem_record_set_text (record, "company_id", company->id);
      tandem_record_set_text (record, "name", name);
      tandem_record_set_int (record, "amount", amount);
      tandem_record_set_int (record, "expected_close", expected_close);
      if (g_str_equal (journey.deal_status, "won"))
        tandem_record_set_int (record, "probability", 100);
      else if (g_str_equal (journey.deal_status, "lost"))
        tandem_record_set_int (record, "probability", 0);
      else
        tandem_record_set_int (record, "probability", rand_between (s, 2, 8) * 10);
      tandem_record_set_text (record, "status", journey.deal_status);
      if (journey.closed_at > 0)
        tandem_record_set_int (record, "closed_at", journey.closed_at);
      set_text (record, "lost_reason", journey.lost_reason);
      tandem_record_set_text (record, "owner_id", s->member_ids[journey.owner]);
      tandem_record_set_int (record, "created_at", journey.opportunity_at);
      row_save (s, record);
      g_array_append_val (s->deal_ids, deal_id);

      /* The buying committee: the lead and up to three colleagues. */
      committee[n_committee++] = index;
      for (guint attempt = 0; attempt < 3 * wanted && n_committee <= wanted; attempt++)
        {
          guint colleague = s->company_leads[first + g_rand_int_range (s->rand, 0, n_colleagues)];
          gboolean seen = FALSE;

          for (guint k = 0; k < n_committee; k++)
            seen |= committee[k] == colleague;
          if (!seen)
            committee[n_committee++] = colleague;
        }

      for (guint k = 0; k < n_committee; k++)
        {
          static const char *const attitudes[] = { "champion", "neutral", "sceptic" };
          static const char *const roles[] = {
            "decision maker", "champion", "influencer", "user", "blocker",
          };
          guint member_index = committee[k];
          const LeadPlan *member = &s->leads[member_index];
          const char *role;
          const char *attitude;
          Contact contact;

          if (member->persona >= 0)
            role = persona_specs[member->persona].committee_role;
          else if (k == 0)
            role = "champion";
          else
            role = PICK (s, roles);

          if (k == 0 || g_str_equal (role, "champion"))
            attitude = "champion";
          else if (g_str_equal (role, "blocker"))
            attitude = chance (s, 0.7) ? "sceptic" : "neutral";
          else
            attitude = PICK (s, attitudes);

          contact.deal = s->deal_ids->len - 1;
          contact.lead = member_index;
          contact.role = role;
          contact.attitude = attitude;
          contact.influence = g_str_equal (role, "decision maker") ? rand_between (s, 4, 5)
                                                                   : rand_between (s, 1, 4);
          make_id (s, contact.id);
          g_array_append_val (s->contacts, contact);
        }
    }
}

static void
save_contacts (Sample *s)
{
  for (guint i = 0; i < s->contacts->len && s->error == NULL; i++)
    {
      const Contact *contact = &g_array_index (s->contacts, Contact, i);
      const LeadPlan *lead = &s->leads[contact->lead];
      const char *deal_id = g_array_index (s->deal_ids, SampleId, contact->deal);
      TandemRecord *record = tandem_record_new_for_table ("deal_contacts", contact->id);

      tandem_record_set_text (record, "deal_id", deal_id);

      tandem_record_set_text (record, "lead_id", lead->id);
      if (lead->persona >= 0)
        tandem_record_set_text (record, "persona_id", s->persona_ids[lead->persona]);
      tandem_record_set_text (record, "role", contact->role);
      tandem_record_set_text (record, "attitude", contact->attitude);
      tandem_record_set_int (record, "influence", contact->influence);
      row_save (s, record);
    }
}

/* Agreement and goals. */

static gint64
quarter_start (gint64 t,
               int    quarters_back)
{
  g_autoptr(GDateTime) date = g_date_time_new_from_unix_utc (t / 1000);
  int year = g_date_time_get_year (date);
  int quarter = (g_date_time_get_month (date) - 1) / 3 - quarters_back;

  while (quarter < 0)
    {
      quarter += 4;
      year--;
    }
  while (quarter > 3)
    {
      quarter -= 4;
      year++;
    }

  return days_from_civil (year, quarter * 3 + 1, 1) * DAY_MS;
}

static char *
quarter_label (gint64 start)
{
  g_autoptr(GDateTime) date = g_date_time_new_from_unix_utc (start / 1000);

  return g_strdup_printf ("Q%d %d", (g_date_time_get_month (date) - 1) / 3 + 1,
                          g_date_time_get_year (date));
}

/* Rounds to two significant digits, the way people set targets. */
static gint64
round_target (double value)
{
  double magnitude = 1;

  if (value < 1)
    return 1;

  while (value >= 100 * magnitude)
    magnitude *= 10;

  return (gint64) (floor (value / magnitude + 0.5) * magnitude);
}

static void
add_agreement_and_goals (Sample *s)
{
  SampleId agreement_id;
  gint64 this_quarter = quarter_start (s->now, 0);
  gint64 first_quarter = quarter_start (s->now, 3);
  gint64 next_quarter = quarter_start (s->now, -1);
  gint64 leads_per_month = MAX (1, s->n_leads / 12);
  gint64 mqls_per_month = round_target (leads_per_month * 0.3);
  TandemRecord *record;
  const struct
  {
    const char *kind;
    const char *description;
    gint64      target;
    const char *unit;
    const char *owner_team;
  } terms[] = {
    { "mql_volume", "Marketing delivers at least this many marketing-qualified leads a month.",
      mqls_per_month, "MQLs per month", "marketing" },
    { "lead_completeness", "Every handed-off lead has a first and last name, an email address, "
      "a company and its size.", 95, "% of handoffs", "marketing" },
    { "first_touch_hours", "Sales makes the first touch (call, email or meeting) within four "
      "business hours of the handoff.", 4, "business hours", "sales" },
    { "decision_days", "Sales accepts or rejects every handed-off lead within two business "
      "days.", 2, "business days", "sales" },
    { "rejection_reason", "Every rejected lead carries a reason from the agreed list.", 100,
      "% of rejections", "sales" },
    { "stalled_sal_days", "Accepted leads with no activity for 14 days go back to marketing "
      "for nurturing.", 14, "days", "sales" },
    { "content_update_days", "Marketing sends sales an update on new and refreshed content "
      "every two weeks.", 14, "days", "marketing" },
    { "sme_session_monthly", "Sales runs a 30-minute session with marketing every month on what "
      "prospects ask and object to.", 1, "sessions per month", "sales" },
  };

  record = row_new (s, "agreements", agreement_id);
  tandem_record_set_text (record, "title", "Marketing–Sales SLA");
  tandem_record_set_text (record, "period", "quarter");
  tandem_record_set_int (record, "starts_at", first_quarter);
  tandem_record_set_int (record, "ends_at", next_quarter);
  tandem_record_set_int (record, "version", 2);
  tandem_record_set_text (record, "status", "signed");
  tandem_record_set_text (record, "notes",
                          "Version 2 tightened the first touch from eight to four business "
                          "hours and added the monthly subject-matter session. Reviewed "
                          "together at the start of every quarter.");
  tandem_record_set_int (record, "created_at", first_quarter - 10 * DAY_MS);
  row_save (s, record);

  for (guint i = 0; i < G_N_ELEMENTS (terms); i++)
    {
      record = row_new (s, "agreement_terms", NULL);
      tandem_record_set_text (record, "agreement_id", agreement_id);
      tandem_record_set_text (record, "kind", terms[i].kind);
      tandem_record_set_text (record, "description", terms[i].description);
      tandem_record_set_int (record, "target", terms[i].target);
      tandem_record_set_text (record, "unit", terms[i].unit);
      tandem_record_set_text (record, "owner_team", terms[i].owner_team);
      tandem_record_set_int (record, "position", i);
      row_save (s, record);
    }

  /* Both leads signed version 1 before the first quarter and version 2
   * when it was revised, two quarters later. */
  for (guint version = 1; version <= 2; version++)
    {
      static const MemberIndex signers[] = { MEMBER_MARKETING_LEAD, MEMBER_SALES_LEAD };
      gint64 base = version == 1 ? first_quarter - 8 * DAY_MS
                                 : quarter_start (s->now, 1) - 5 * DAY_MS;

      for (guint i = 0; i < G_N_ELEMENTS (signers); i++)
        {
          record = row_new (s, "agreement_signatures", NULL);
          tandem_record_set_text (record, "agreement_id", agreement_id);
          tandem_record_set_text (record, "member_id", s->member_ids[signers[i]]);
          tandem_record_set_int (record, "version", version);
          tandem_record_set_int (record, "signed_at", office_moment (s, base + i * DAY_MS));
          row_save (s, record);
        }
    }

  for (int back = 3; back >= 0; back--)
    {
      gint64 start = quarter_start (s->now, back);
      g_autofree char *label = quarter_label (start);

      record = row_new (s, "agreement_periods", NULL);
      tandem_record_set_text (record, "agreement_id", agreement_id);
      tandem_record_set_int (record, "starts_at", start);
      tandem_record_set_int (record, "ends_at", quarter_start (s->now, back - 1));
      tandem_record_set_text (record, "label", label);
      row_save (s, record);
    }

  /* Goals for last quarter and this one, scaled to the size of the
   * workspace so that a small sample is not hopelessly behind. */
  for (int back = 1; back >= 0; back--)
    {
      gint64 start = back == 0 ? this_quarter : quarter_start (s->now, 1);
      gint64 end = back == 0 ? next_quarter : this_quarter;
      double growth = back == 0 ? 1.15 : 1.0;
      double quarter_leads = s->n_leads / 4.0 * growth;
      gint64 deals = round_target (quarter_leads * 0.014);
      const struct
      {
        const char *metric;
        gint64      target;
        const char *team;
        const char *notes;
      } goals[] = {
        { "revenue", round_target (deals * 3500000.0), "sales",
          "New annual contract value signed in the quarter, in cents." },
        { "mqls", round_target (quarter_leads * 0.3), "marketing", NULL },
        { "sqls", round_target (quarter_leads * 0.09), "sales", NULL },
        { "win_rate", 30, "sales",
          "Percent of the opportunities closed in the quarter that were won." },
        { "deals", deals, "sales", NULL },
      };

      for (guint i = 0; i < G_N_ELEMENTS (goals); i++)
        {
          record = row_new (s, "goals", NULL);
          tandem_record_set_text (record, "metric", goals[i].metric);
          tandem_record_set_int (record, "target", goals[i].target);
          tandem_record_set_int (record, "period_start", start);
          tandem_record_set_int (record, "period_end", end);
          tandem_record_set_text (record, "team", goals[i].team);
          set_text (record, "notes", goals[i].notes);
          row_save (s, record);
        }
    }
}

/* Driver. */

static void
sample_free (Sample *s)
{
  g_clear_pointer (&s->rand, g_rand_free);
  g_clear_pointer (&s->strings, g_string_chunk_free);
  g_clear_pointer (&s->companies, g_free);
  g_clear_pointer (&s->leads, g_free);
  g_clear_pointer (&s->company_first, g_free);
  g_clear_pointer (&s->company_leads, g_free);
  g_clear_pointer (&s->assets, g_free);
  for (guint k = 0; k < N_ASSET_KINDS; k++)
    g_clear_pointer (&s->public_by_kind[k], g_array_unref);
  for (guint p = 0; p < N_PERSONAS; p++)
    g_clear_pointer (&s->public_by_persona[p], g_array_unref);
  g_clear_pointer (&s->internal_assets, g_array_unref);
  g_clear_pointer (&s->emails, g_hash_table_unref);
  g_clear_pointer (&s->deal_ids, g_array_unref);
  g_clear_pointer (&s->contacts, g_array_unref);
  g_clear_pointer (&s->activities, g_array_unref);
  g_clear_pointer (&s->moves, g_array_unref);
  g_clear_error (&s->error);
}

static gboolean
check_empty (TandemStore  *store,
             GError      **error)
{
  static const char *const tables[] = { "members", "personas", "leads" };

  for (guint i = 0; i < G_N_ELEMENTS (tables); i++)
    {
      gint64 count = tandem_store_count (store, tables[i]);

      if (count != 0)
        {
          g_set_error (error, TANDEM_STORE_ERROR, TANDEM_STORE_ERROR_INVALID,
                       _("The workspace “%s” already holds data, so no sample was added. "
                         "Choose a new file for the sample workspace."),
                       tandem_store_get_path (store));
          return FALSE;
        }
    }

  return TRUE;
}

static gboolean
generate (TandemStore           *store,
          guint                  n_leads,
          guint64                seed,
          gint64                 now_ms,
          TandemSampleProgress   progress,
          gpointer               progress_data,
          GCancellable          *cancellable,
          GError               **error)
{
  Sample s = { 0 };
  guint32 seed_words[2] = { (guint32) (seed & 0xffffffff), (guint32) (seed >> 32) };
  guint step;
  gboolean ok;

  if (!check_empty (store, error))
    return FALSE;

  /* Without a fixed end, the history ends at the start of today (UTC), so
   * two runs on the same day still agree. */
  if (now_ms == 0)
    {
      now_ms = g_get_real_time () / 1000;
      now_ms -= now_ms % DAY_MS;
    }

  s.store = store;
  s.rand = g_rand_new_with_seed_array (seed_words, G_N_ELEMENTS (seed_words));
  s.progress = progress;
  s.progress_data = progress_data;
  s.now = now_ms;
  s.start = now_ms - YEAR_MS;
  s.n_leads = n_leads;
  s.strings = g_string_chunk_new (64 * 1024);
  s.activities = g_array_new (FALSE, FALSE, sizeof (Activity));
  s.moves = g_array_new (FALSE, FALSE, sizeof (Move));
  s.emails = g_hash_table_new (g_str_hash, g_str_equal);
  s.deal_ids = g_array_new (FALSE, FALSE, sizeof (SampleId));
  s.contacts = g_array_new (FALSE, FALSE, sizeof (Contact));
  init_calendar (&s);

  tandem_store_enter_bulk (store);

  if (!tandem_store_begin (store, error))
    {
      tandem_store_leave_bulk (store);
      sample_free (&s);
      return FALSE;
    }

  report_progress (&s, 0.0);
  add_settings (&s);
  add_members (&s);
  add_icps (&s);
  add_personas (&s);
  add_stages_and_reasons (&s);
  /* The leads are scored by the engine with the default rules, like the
   * leads of any workspace. */
  if (s.error == NULL)
    tandem_scoring_install_defaults (store, &s.error);
  report_progress (&s, 0.01);
  add_assets (&s);
  report_progress (&s, 0.02);
  plan_companies (&s);
  plan_leads (&s);
  report_progress (&s, 0.03);
  save_companies (&s);
  report_progress (&s, SETUP_SHARE);

  step = MAX (1, n_leads / LEAD_PROGRESS_STEPS);
  for (guint i = 0; i < n_leads && s.error == NULL; i++)
    {
      save_lead (&s, i);

      if ((i + 1) % step == 0)
        {
          g_cancellable_set_error_if_cancelled (cancellable, &s.error);
          report_progress (&s, SETUP_SHARE + LEAD_SHARE * (i + 1) / n_leads);
        }
    }

  save_contacts (&s);
  add_agreement_and_goals (&s);

  /* Scored as of the end of the history, without moving anyone: the
   * history above already holds every move. */
  if (s.error == NULL)
    tandem_scoring_update_all (store, s.now, cancellable, &s.error);

  if (s.error != NULL)
    {
      tandem_store_rollback (store);
      g_propagate_error (error, g_steal_pointer (&s.error));
      ok = FALSE;
    }
  else
    {
      ok = tandem_store_commit (store, error);
      if (ok)
        report_progress (&s, 1.0);
    }

  tandem_store_leave_bulk (store);
  sample_free (&s);
  return ok;
}

gboolean
tandem_sample_generate (TandemStore           *store,
                        guint                  n_leads,
                        guint64                seed,
                        gint64                 now_ms,
                        TandemSampleProgress   progress,
                        gpointer               progress_data,
                        GError               **error)
{
  g_return_val_if_fail (TANDEM_IS_STORE (store), FALSE);
  g_return_val_if_fail (now_ms >= 0, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return generate (store, n_leads, seed, now_ms, progress, progress_data, NULL, error);
}

/* Asynchronous variant. */

typedef struct
{
  char    *db_path;
  guint    n_leads;
  guint64  seed;
} GenerateData;

static void
generate_data_free (GenerateData *data)
{
  g_free (data->db_path);
  g_free (data);
}

static void
generate_thread (GTask        *task,
                 gpointer      source_object,
                 gpointer      task_data,
                 GCancellable *cancellable)
{
  GenerateData *data = task_data;
  g_autoptr(TandemStore) store = NULL;
  GError *error = NULL;

  store = tandem_store_open (data->db_path, &error);
  if (store == NULL ||
      !generate (store, data->n_leads, data->seed, 0, NULL, NULL, cancellable, &error))
    {
      g_task_return_error (task, error);
      return;
    }

  g_task_return_boolean (task, TRUE);
}

void
tandem_sample_generate_async (const char          *db_path,
                              guint                n_leads,
                              guint64              seed,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  GenerateData *data;

  g_return_if_fail (db_path != NULL);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  data = g_new0 (GenerateData, 1);
  data->db_path = g_strdup (db_path);
  data->n_leads = n_leads;
  data->seed = seed;

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, tandem_sample_generate_async);
  g_task_set_task_data (task, data, (GDestroyNotify) generate_data_free);
  g_task_run_in_thread (task, generate_thread);
}

gboolean
tandem_sample_generate_finish (GAsyncResult  *result,
                               GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}
