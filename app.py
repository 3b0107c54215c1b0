"""Start the ELIP Service Map on the bundled sample data: python app.py -> http://127.0.0.1:8050"""

from elip_map.config import Settings
from elip_map.factory import create_app

app = create_app(Settings.from_env())
server = app.server

if __name__ == "__main__":
    app.run(host="127.0.0.1", port=8050, debug=False)
